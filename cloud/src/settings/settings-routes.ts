import {
  ApiError,
  type SettingKey,
  type SettingsUpdate,
  settingKeySchema,
  settingsExportSchema,
  settingsUpdateSchema,
  settingsViewSchema,
  settingValueBodySchema,
  settingValueSchemas,
  settingValueViewSchema,
} from "@homecam/shared";
import { z } from "zod";
import type { Principal } from "../api/principal.js";
import type { ApiModule } from "../http/create-app.js";
import type { SettingsStore } from "./settings-store.js";

export interface SettingsRoutesDeps {
  store: SettingsStore;
}

const TAG = "settings";
const keyParams = z.strictObject({ key: settingKeySchema });

/**
 * The seed's settings paths. Reading and changing ordinary values is open to API keys (`user`);
 * the app lock, reset and import are account matters (an integration must not switch the lock off),
 * so they need an access token.
 */
export function settingsRoutes(deps: SettingsRoutesDeps): ApiModule {
  const { store } = deps;
  return (registry, router) => {
    registry.add(
      router,
      {
        method: "get",
        path: "/api/settings",
        summary: "Read your settings",
        tag: TAG,
        access: "user",
        response: settingsViewSchema,
      },
      async ({ principal }) => store.get(caller(principal).userId),
    );

    registry.add(
      router,
      {
        method: "put",
        path: "/api/settings",
        summary: "Change some settings (the keys given; the app lock needs an access token)",
        tag: TAG,
        access: "user",
        body: settingsUpdateSchema,
        response: settingsViewSchema,
        errors: ["E_FORBIDDEN"],
      },
      async ({ principal, body }) => update(store, caller(principal), body),
    );

    registry.add(
      router,
      {
        method: "get",
        path: "/api/settings/:key",
        summary: "Read one setting",
        tag: TAG,
        access: "user",
        params: keyParams,
        response: settingValueViewSchema,
      },
      async ({ principal, params }) => {
        const view = await store.get(caller(principal).userId);
        return { key: params.key, value: view[params.key] };
      },
    );

    registry.add(
      router,
      {
        method: "put",
        path: "/api/settings/:key",
        summary: "Change one setting ({value} of that key's type)",
        tag: TAG,
        access: "user",
        params: keyParams,
        body: settingValueBodySchema,
        response: settingValueViewSchema,
        errors: ["E_FORBIDDEN"],
      },
      async ({ principal, params, body }) => {
        const value = parseValue(params.key, body.value);
        const view = await update(store, caller(principal), { [params.key]: value });
        return { key: params.key, value: view[params.key] };
      },
    );

    registry.add(
      router,
      {
        method: "post",
        path: "/api/settings/reset",
        summary: "Put every setting back to its default (forgets the app-lock PIN)",
        tag: TAG,
        access: "account",
        response: settingsViewSchema,
      },
      async ({ principal }) => store.reset(caller(principal).userId),
    );

    registry.add(
      router,
      {
        method: "post",
        path: "/api/settings/export",
        summary: "Export your settings as a versioned JSON file (without the PIN)",
        tag: TAG,
        access: "user",
        response: settingsExportSchema,
      },
      async ({ principal }) => store.exportFor(caller(principal).userId),
    );

    registry.add(
      router,
      {
        method: "post",
        path: "/api/settings/import",
        summary: "Replace your settings with an export file's; a bad file changes nothing",
        tag: TAG,
        access: "account",
        body: settingsExportSchema,
        response: settingsViewSchema,
      },
      async ({ principal, body }) => store.import(caller(principal).userId, body),
    );
  };
}

function caller(principal: Principal | null): Principal {
  // The registry guarantees a principal on non-public routes; this only narrows the type.
  if (!principal) throw new ApiError("E_UNAUTHORIZED", "sign in first");
  return principal;
}

function update(store: SettingsStore, principal: Principal, change: SettingsUpdate) {
  if (change.appLock !== undefined && principal.via !== "access") {
    throw new ApiError("E_FORBIDDEN", "API keys cannot change the app lock");
  }
  return store.update(principal.userId, change);
}

function parseValue(key: SettingKey, value: unknown): unknown {
  const r = settingValueSchemas[key].safeParse(value);
  if (r.success) return r.data;
  throw new ApiError("E_VALIDATION", "invalid body", {
    issues: r.error.issues.map((i) => ({
      path: ["value", ...i.path].map(String).join("."),
      message: i.message,
    })),
  });
}
