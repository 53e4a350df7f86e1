package io.latchkey.examples;

import io.latchkey.HashingKey;
import io.latchkey.IssuedToken;
import io.latchkey.Latchkey;
import io.latchkey.NewToken;
import io.latchkey.TokenManager;
import io.latchkey.TokenValidator;
import io.latchkey.ValidationRequest;
import io.latchkey.ValidationResult;
import io.latchkey.store.memory.InMemoryTokenStore;
import java.io.PrintStream;

/** The README's quickstart: issue, validate, disable, validate again. Compiled and run by tests. */
public final class Quickstart {

  public static void main(String[] args) {
    run(System.out);
  }

  static void run(PrintStream out) {
    // begin README quickstart
    try (InMemoryTokenStore store = new InMemoryTokenStore();
         Latchkey latchkey = Latchkey.builder()
             .store(store)
             .tokenPrefix("acme")
             .hashingKey(HashingKey.generate("k1")) // production: HashingKey.fromBase64("k1", secret)
             .build()) {

      TokenManager tokens = latchkey.tokens().as("alice");
      IssuedToken issued = tokens.issue(NewToken.in("workspace-7")
          .name("billing-sync")
          .permission("invoices:read", true)
          .allowIp("203.0.113.0/24"));
      String plaintext = issued.secret(); // shown once: hand it to the integration
      out.println("issued   " + issued.id() + " " + issued.token().hint());

      TokenValidator validator = latchkey.validator();
      ValidationRequest request = ValidationRequest.of(plaintext)
          .clientIp("203.0.113.9")
          .require("invoices:read");
      ValidationResult first = validator.validate(request);
      out.println("validate " + (first.isValid() ? "VALID" : first.reasonOrNull()));

      tokens.disable(issued.id());
      ValidationResult second = validator.validate(request);
      out.println("disabled " + issued.id());
      out.println("validate " + (second.isValid() ? "VALID" : second.reasonOrNull())
          + " -> HTTP " + second.httpStatus() + " \"" + second.publicMessage() + "\"");
    }
    // end README quickstart
  }
}
