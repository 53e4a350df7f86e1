package io.latchkey;

/**
 * Ceilings on the cost parameters of imported legacy hashes. A row whose hash asks for more is
 * refused at import: a bcrypt cost of 31 or an Argon2 hash over 4 GiB would otherwise let one
 * imported row stall a validator. The defaults admit what real systems use (bcrypt 10 to 14,
 * Argon2 with 64 MiB, Django's PBKDF2 iterations) with room to spare.
 *
 * @param maxBcryptCost the highest bcrypt cost (log2 of its rounds), 4 to 31
 * @param maxMemoryKiB the most memory an scrypt or Argon2 hash may need, in KiB
 * @param maxIterations the most PBKDF2 iterations
 * @param maxPasses the most Argon2 passes ({@code t}) and scrypt parallel runs ({@code p})
 * @param maxParallelism the most Argon2 lanes ({@code p})
 */
public record LegacyLimits(int maxBcryptCost, long maxMemoryKiB, int maxIterations,
    int maxPasses, int maxParallelism) {

  /** bcrypt cost 14, 256 MiB, 2,000,000 PBKDF2 iterations, 16 passes, 16 lanes. */
  public static final LegacyLimits DEFAULT = new LegacyLimits(14, 256 * 1024, 2_000_000, 16, 16);

  /**
   * @throws InvalidArgumentException naming the first limit out of range
   */
  public LegacyLimits {
    if (maxBcryptCost < 4 || maxBcryptCost > 31) {
      throw new InvalidArgumentException("maxBcryptCost", "must be between 4 and 31, was " + maxBcryptCost);
    }
    if (maxMemoryKiB < 8) {
      throw new InvalidArgumentException("maxMemoryKiB", "must be at least 8, was " + maxMemoryKiB);
    }
    if (maxIterations < 1) {
      throw new InvalidArgumentException("maxIterations", "must be positive, was " + maxIterations);
    }
    if (maxPasses < 1) {
      throw new InvalidArgumentException("maxPasses", "must be positive, was " + maxPasses);
    }
    if (maxParallelism < 1) {
      throw new InvalidArgumentException("maxParallelism", "must be positive, was " + maxParallelism);
    }
  }
}
