package io.latchkey.management;

/** {@link SeedWorkflowsTest} on the JDK HttpServer, as {@code latchkey serve} mounts it. */
class JdkSeedWorkflowsTest extends SeedWorkflowsTest {
  @Override
  Mount mount() {
    return Mount.JDK;
  }
}
