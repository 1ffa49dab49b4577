// The pairing PIN in large block digits for the terminal: read from across the room or off a
// small screen over SSH, and hard to mistake (a 1 for a 7, a 6 for an 8). Pure functions.

// 3×5 glyphs; each cell is doubled horizontally below because terminal cells are about twice as
// tall as they are wide.
const GLYPHS: Readonly<Record<string, readonly string[]>> = {
  "0": ["###", "# #", "# #", "# #", "###"],
  "1": [" # ", "## ", " # ", " # ", "###"],
  "2": ["###", "  #", "###", "#  ", "###"],
  "3": ["###", "  #", " ##", "  #", "###"],
  "4": ["# #", "# #", "###", "  #", "  #"],
  "5": ["###", "#  ", "###", "  #", "###"],
  "6": ["###", "#  ", "###", "# #", "###"],
  "7": ["###", "  #", "  #", " # ", " # "],
  "8": ["###", "# #", "###", "# #", "###"],
  "9": ["###", "# #", "###", "  #", "###"],
};
const ROWS = 5;

/**
 * `digits` as five lines of block characters, groups of three set apart ("123 456" as it is read
 * aloud), each line indented by `indent`. Throws on anything but ASCII digits.
 */
export function pinBanner(digits: string, indent = "  "): string {
  if (!/^[0-9]+$/.test(digits)) throw new RangeError("pinBanner takes ASCII digits only");
  const lines: string[] = [];
  for (let row = 0; row < ROWS; row++) {
    let line = "";
    for (const [i, d] of [...digits].entries()) {
      if (i > 0) line += i % 3 === 0 ? "      " : "  ";
      line += (GLYPHS[d]?.[row] ?? "").replace(/#/g, "██").replace(/ /g, "  ");
    }
    lines.push(`${indent}${line}`.trimEnd());
  }
  return `${lines.join("\n")}\n`;
}
