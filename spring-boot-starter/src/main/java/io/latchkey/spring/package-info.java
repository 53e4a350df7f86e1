/**
 * Spring Boot auto-configuration of Latchkey from {@code latchkey.*} properties, and its Spring
 * Security integration ({@link io.latchkey.spring.LatchkeyConfigurer}).
 */
@NullMarked
package io.latchkey.spring;

import org.jspecify.annotations.NullMarked;
