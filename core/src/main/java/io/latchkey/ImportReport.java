package io.latchkey;

import java.util.List;

/**
 * What an import of legacy keys did.
 *
 * @param imported the ids of the keys this import stored, in row order
 * @param alreadyImported rows whose key an earlier import already stored (same lookup part,
 *     workspace and name): nothing is imported twice
 * @param problems every row that was refused, with why; with {@link Mode#ALL_OR_NOTHING} any
 *     problem means {@code imported} is empty
 */
public record ImportReport(List<TokenId> imported, int alreadyImported, List<Problem> problems) {

  /**
   * Makes a report; the lists are copied.
   *
   * @param imported the ids of the keys stored, in row order
   * @param alreadyImported how many rows an earlier import already stored
   * @param problems every refused row, with why
   * @throws NullPointerException if a list is null or holds null
   */
  public ImportReport {
    imported = List.copyOf(imported);
    problems = List.copyOf(problems);
  }

  /**
   * Whether every row was imported or already present.
   *
   * @return true if no row was refused
   */
  public boolean ok() {
    return problems.isEmpty();
  }

  /** How a batch treats bad rows. */
  public enum Mode {
    /** One bad row and nothing is stored. */
    ALL_OR_NOTHING,
    /** Good rows are stored, bad ones reported; running the same rows again stores nothing twice. */
    GOOD_ROWS
  }

  /**
   * A refused row.
   *
   * @param row the row's number, from 1
   * @param field the offending field ({@code hash}, {@code lookup}, ...)
   * @param problem what is wrong with it; never contains a hash or key
   */
  public record Problem(int row, String field, String problem) {
    @Override
    public String toString() {
      return "row " + row + " " + field + " " + problem;
    }
  }
}
