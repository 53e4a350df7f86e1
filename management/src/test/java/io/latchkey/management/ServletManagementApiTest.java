package io.latchkey.management;

/** {@link ManagementApiTest} on {@link ManagementServlet} in an embedded Tomcat. */
class ServletManagementApiTest extends ManagementApiTest {
  @Override
  Mount mount() {
    return Mount.SERVLET;
  }
}
