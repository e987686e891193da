/**
 * Python's `repr(float)`, which the run file uses as the text of `float` configs, so
 * that the Python client reads our values back as equal floats.
 */

/** Formats `x` exactly as Python 3's `repr(x)` does for a float. */
export function pythonFloatRepr(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (x === Number.POSITIVE_INFINITY) return "inf";
  if (x === Number.NEGATIVE_INFINITY) return "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";

  const sign = x < 0 ? "-" : "";
  // toExponential() without an argument yields the shortest round-tripping digits,
  // the same digits Python's repr chooses.
  const [mantissa = "", exponentText = "0"] = Math.abs(x).toExponential().split("e");
  const digits = mantissa.replace(".", "");
  const exponent = Number(exponentText);

  if (exponent < -4 || exponent >= 16) {
    const head = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const expSign = exponent < 0 ? "-" : "+";
    const expDigits = String(Math.abs(exponent)).padStart(2, "0");
    return `${sign}${head}e${expSign}${expDigits}`;
  }
  if (exponent < 0) {
    return `${sign}0.${"0".repeat(-exponent - 1)}${digits}`;
  }
  const intLength = exponent + 1;
  if (digits.length <= intLength) {
    return `${sign}${digits.padEnd(intLength, "0")}.0`;
  }
  return `${sign}${digits.slice(0, intLength)}.${digits.slice(intLength)}`;
}
