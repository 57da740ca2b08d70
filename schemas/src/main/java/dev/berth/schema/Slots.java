package dev.berth.schema;

import java.math.BigDecimal;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Resource slots on the wire: {@code mem} (and any {@code *.mem} slot) in bytes, every other slot
 * (cpu, cuda.shares, ...) in thousandths, so that fractional shares add up exactly.
 */
public final class Slots {

    public static final String CPU = "cpu";
    public static final String MEM = "mem";
    private static final BigDecimal THOUSAND = BigDecimal.valueOf(1000);

    private Slots() {}

    public static boolean isBytes(String slot) {
        return slot.equals(MEM) || slot.endsWith(".mem");
    }

    /**
     * Parses a user-given amount: a number, or for byte slots also a size such as {@code "256m"}.
     *
     * @throws IllegalArgumentException with a sentence a user can act on
     */
    public static long parse(String slot, Object value) {
        if (value instanceof Number || value instanceof String) {
            String text = value.toString().trim();
            long amount = isBytes(slot) ? parseBytes(text) : parseThousandths(text);
            if (amount < 0) throw new IllegalArgumentException("must not be negative");
            return amount;
        }
        throw new IllegalArgumentException("must be a number" + (isBytes(slot) ? " or a size such as \"256m\"" : ""));
    }

    /** The user-facing value: bytes as a whole number, other slots as a decimal number. */
    public static Object present(String slot, long amount) {
        if (isBytes(slot)) return amount;
        return new BigDecimal(BigDecimal.valueOf(amount).divide(THOUSAND).stripTrailingZeros().toPlainString());
    }

    public static Map<String, Object> present(Map<String, Long> slots) {
        Map<String, Object> out = new TreeMap<>();
        slots.forEach((slot, amount) -> out.put(slot, present(slot, amount)));
        return out;
    }

    /** {@code a + sign * b}, slot by slot; a slot missing on one side counts as zero. */
    public static Map<String, Long> combine(Map<String, Long> a, Map<String, Long> b, int sign) {
        Map<String, Long> out = new HashMap<>(a);
        b.forEach((slot, amount) -> out.merge(slot, sign * amount, Long::sum));
        return out;
    }

    private static long parseThousandths(String text) {
        BigDecimal decimal = decimal(text, "must be a number, got \"" + text + "\"");
        return exact(decimal.multiply(THOUSAND), text, "allows at most three decimals, got " + text);
    }

    private static long parseBytes(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        int shift = lower.isEmpty() ? 0 : switch (lower.charAt(lower.length() - 1)) {
            case 'k' -> 10;
            case 'm' -> 20;
            case 'g' -> 30;
            case 't' -> 40;
            default -> 0;
        };
        String digits = shift > 0 ? lower.substring(0, lower.length() - 1) : lower;
        BigDecimal decimal = decimal(digits, "must be a size such as 512m, 2g or a number of bytes, got \"" + text + "\"");
        return exact(decimal.multiply(BigDecimal.valueOf(1L << shift)), text, "must be a whole number of bytes, got " + text);
    }

    private static BigDecimal decimal(String digits, String complaint) {
        try {
            return new BigDecimal(digits);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(complaint);
        }
    }

    /** The amount as a long, refusing fractions (with {@code fractionComplaint}) and overflow. */
    private static long exact(BigDecimal amount, String text, String fractionComplaint) {
        if (amount.stripTrailingZeros().scale() > 0) throw new IllegalArgumentException(fractionComplaint);
        try {
            return amount.longValueExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("is too large: " + text);
        }
    }
}
