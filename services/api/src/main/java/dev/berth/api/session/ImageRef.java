package dev.berth.api.session;

/** {@code registry/name:tag}: the tag follows the last ':' after the last '/'; none means {@code latest}. */
public record ImageRef(String name, String tag) {

    public static ImageRef parse(String reference) {
        int colon = reference.lastIndexOf(':');
        if (colon > reference.lastIndexOf('/') && colon < reference.length() - 1) {
            return new ImageRef(reference.substring(0, colon), reference.substring(colon + 1));
        }
        return new ImageRef(reference, "latest");
    }
}
