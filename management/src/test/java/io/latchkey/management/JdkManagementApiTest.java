package io.latchkey.management;

/** {@link ManagementApiTest} on the JDK HttpServer, as {@code latchkey serve} mounts it. */
class JdkManagementApiTest extends ManagementApiTest {
  @Override
  Mount mount() {
    return Mount.JDK;
  }
}
