package io.latchkey.management;

/** {@link SeedWorkflowsTest} on {@link ManagementServlet} in an embedded Tomcat. */
class ServletSeedWorkflowsTest extends SeedWorkflowsTest {
  @Override
  Mount mount() {
    return Mount.SERVLET;
  }
}
