package io.latchkey.spring;

import io.latchkey.spring.app.TestApp;
import org.springframework.boot.test.context.SpringBootTest;

/** On H2, through the application's own DataSource. */
@SpringBootTest(classes = TestApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
        "server.address=127.0.0.1",
        "spring.datasource.url=jdbc:h2:mem:starter-h2;DB_CLOSE_DELAY=-1",
        "latchkey.store=jdbc",
        "latchkey.token-prefix=acme",
        SecurityHttpTestBase.HASHING_KEY,
        "latchkey.http.trusted-proxies=127.0.0.1"})
class H2SecurityHttpTest extends SecurityHttpTestBase {}
