package dev.berth.api.admin;

/**
 * One field of an admin entity.
 *
 * @param api        its JSON name
 * @param column     its column
 * @param required   must be given on create
 * @param updatable  may be changed by PATCH
 * @param filterable may filter a list ({@code ?api=value})
 */
record Field(String api, String column, FieldType type, boolean required, boolean updatable, boolean filterable) {

    static Field key(String api, String column, FieldType type) {
        return new Field(api, column, type, true, false, false);
    }

    static Field required(String api, String column, FieldType type) {
        return new Field(api, column, type, true, true, false);
    }

    static Field optional(String api, String column, FieldType type) {
        return new Field(api, column, type, false, true, false);
    }

    /** Only shown: set by the database (created_at) or by Berth (generated keys). */
    static Field shown(String api, String column, FieldType type) {
        return new Field(api, column, type, false, false, false);
    }

    Field asFilter() {
        return new Field(api, column, type, required, updatable, true);
    }

    /** Given on create, never changed after (a user's domain, a keypair's user). */
    Field fixed() {
        return new Field(api, column, type, required, false, filterable);
    }

    boolean writable() {
        return required || updatable;
    }
}
