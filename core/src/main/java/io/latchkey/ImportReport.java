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

  public ImportReport {
    imported = List.copyOf(imported);
    problems = List.copyOf(problems);
  }

  /** Whether every row was imported or already present. */
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
