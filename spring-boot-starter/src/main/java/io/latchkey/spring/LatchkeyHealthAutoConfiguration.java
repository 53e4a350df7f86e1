package io.latchkey.spring;

import io.latchkey.Latchkey;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/** Registers {@link LatchkeyHealthIndicator} as the {@code latchkey} health contributor. */
@AutoConfiguration(after = LatchkeyAutoConfiguration.class)
@ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
@ConditionalOnBean(Latchkey.class)
public class LatchkeyHealthAutoConfiguration {

  /**
   * The health indicator, unless the application defines one by that name.
   *
   * @param latchkey the library instance whose health is reported
   * @return the {@code latchkey} health contributor
   */
  @Bean(name = "latchkeyHealthIndicator")
  @ConditionalOnMissingBean(name = "latchkeyHealthIndicator")
  public LatchkeyHealthIndicator latchkeyHealthIndicator(Latchkey latchkey) {
    return new LatchkeyHealthIndicator(latchkey);
  }
}
