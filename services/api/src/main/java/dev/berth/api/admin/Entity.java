package dev.berth.api.admin;

import dev.berth.identity.ConfigChange;
import io.vertx.sqlclient.Row;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * An admin resource: its table, fields, who may change it and what the scheduler must hear.
 *
 * @param path           the URL segment under /v1/admin
 * @param noun           how problems name one of them ("domain")
 * @param keyField       the field that identifies one in paths
 * @param domainOf       SQL giving the domain a row belongs to, for domain admins; null = not domain-scoped
 * @param superadminOwned SQL true when the row is a superadmin's (domain admins may not touch those); null = never
 * @param domainAdminsWrite whether domain admins may create and change rows of their own domain
 * @param deactivate     SQL SET clause that deactivates, or null to delete the row
 * @param generated      columns Berth fills on create (ids, keys)
 * @param changes        what the scheduler must hear after a write of this row
 */
record Entity(String path, String noun, String table, Field keyField, List<Field> fields, String domainOf, String superadminOwned,
              boolean domainAdminsWrite, String deactivate, Supplier<Map<String, Object>> generated,
              Function<Row, List<ConfigChange>> changes) {

    Field field(String api) {
        return fields.stream().filter(field -> field.api().equals(api)).findFirst().orElse(null);
    }

    /** The JSON name of a column, for database errors that name columns. */
    String apiName(String column) {
        return fields.stream().filter(field -> field.column().equals(column)).map(Field::api).findFirst().orElse(column);
    }
}
