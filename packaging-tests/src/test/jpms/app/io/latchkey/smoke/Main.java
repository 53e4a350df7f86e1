package io.latchkey.smoke;

import io.latchkey.HashingKey;
import io.latchkey.IssuedToken;
import io.latchkey.Latchkey;
import io.latchkey.NewToken;
import io.latchkey.ValidationRequest;
import io.latchkey.store.memory.InMemoryTokenStore;

/** A host on the module path: issues a token, validates it, and reports what it can see. */
public final class Main {
  public static void main(String[] args) {
    try (InMemoryTokenStore store = new InMemoryTokenStore();
         Latchkey latchkey = Latchkey.builder()
             .store(store)
             .tokenPrefix("smoke")
             .hashingKey(HashingKey.generate("k1"))
             .build()) {
      IssuedToken issued = latchkey.tokens().as("jpms").issue(NewToken.in("ws").name("smoke"));
      System.out.println("valid=" + latchkey.validator()
          .validate(ValidationRequest.of(issued.secret())).isValid());
    }
    Module core = Latchkey.class.getModule();
    System.out.println("module " + core.getName() + " named=" + core.isNamed());
    System.out.println("exports internal=" + core.isExported("io.latchkey.internal"));
  }
}
