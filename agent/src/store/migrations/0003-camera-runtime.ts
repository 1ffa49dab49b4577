import { type Kysely, sql } from "kysely";

// Frozen once released, like 0001 and 0002 (untyped `Kysely<unknown>`).
//
// `camera_runtime`: what remote commands changed about a camera, applied over the configuration file
// at every start (issue 6 §5). One row per camera touched remotely:
// - `settings_patch`: the accumulated `settings.set` patches (name, motion, recording). A patch, not
//   the full settings, so a later edit of the file still takes effect for the fields never
//   changed remotely.
// - `armed`: 0 = privacy mode (no capture, no recording, no live) until armed again.
// - `added_config`: the whole camera config of a camera added with `camera.add`; NULL for cameras of
//   the configuration file.
// No foreign key to `cameras`: a row may be written before the camera's first sync.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("camera_runtime")
    .addColumn("camera_id", "text", (c) => c.primaryKey())
    .addColumn("settings_patch", "text", (c) =>
      c.notNull().defaultTo("{}").check(sql`json_valid(settings_patch)`),
    )
    .addColumn("armed", "integer", (c) => c.notNull().defaultTo(1).check(sql`armed in (0, 1)`))
    .addColumn("added_config", "text", (c) => c.check(sql`added_config is null or json_valid(added_config)`))
    .addColumn("updated_at", "integer", (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("camera_runtime").execute();
}
