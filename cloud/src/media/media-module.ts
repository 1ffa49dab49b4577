import type { ApiModule } from "../http/create-app.js";
import { downloadRoutes } from "./download-routes.js";
import type { MediaDeps } from "./media-deps.js";
import { thumbnailRoutes } from "./thumbnail-routes.js";
import { uploadRoutes } from "./upload-routes.js";

export { DOWNLOAD_URL_TTL_S, type MediaDeps, UPLOAD_URL_TTL_S } from "./media-deps.js";

/**
 * The media routes: devices presign and confirm uploads (`/api/media/presign`, `/complete`),
 * grant holders presign a clip's download (`/api/clips/:id/presign-get`). The bytes themselves
 * travel to and from the storage driver's URLs (for fs: `fsMediaRoutes`), never through here.
 */
export function mediaRoutes(deps: MediaDeps): ApiModule {
  const upload = uploadRoutes(deps);
  const download = downloadRoutes(deps);
  const thumbnails = thumbnailRoutes(deps);
  return (registry, router) => {
    upload(registry, router);
    download(registry, router);
    thumbnails(registry, router);
  };
}
