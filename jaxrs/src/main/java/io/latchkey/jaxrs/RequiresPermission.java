package io.latchkey.jaxrs;

import jakarta.ws.rs.NameBinding;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Binds {@link LatchkeyContainerFilter} to a resource class or method, which then needs a valid
 * Latchkey token granting every permission listed (none listed: any valid token). On a class and a
 * method both, the permissions of both are required. Resources without it are not filtered.
 */
@NameBinding
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface RequiresPermission {
  /**
   * The permissions required.
   *
   * @return every permission the token must grant; none means any valid token
   */
  String[] value() default {};
}
