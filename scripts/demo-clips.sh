#!/usr/bin/env bash
# Evidence in the cloud, against a running demo (`npm start`), with plain curl:
# sign up → pair the demo camera with its PIN → wait for a motion event whose clip the agent has
# uploaded → ask for the clip's short-lived download URL → download it and check it with ffprobe.
#   bash scripts/demo-clips.sh [cloud-url] [demo-dir] [pin]
# Without a PIN a fresh one is asked from the agent (`homecam pair --json`). Prints the event list,
# the clip URL (open it in a browser to play it; it expires after 5 minutes) and the unread
# notifications. The synthetic camera makes an event about every 20 s.
set -euo pipefail
cd "$(dirname "$0")/.."
CLOUD="${1:-http://127.0.0.1:4001}"
DEMO="${2:-.demo}"
PIN="${3:-}"
WAIT_S="${HOMECAM_DEMO_CLIP_WAIT_S:-180}"
EMAIL="owner-$(date +%s)-$RANDOM@example.com"
PASSWORD="correct horse battery staple"

field() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{let v=JSON.parse(s);for(const k of process.argv[1].split("."))v=v?.[k];process.stdout.write(v===undefined?"":typeof v==="object"?JSON.stringify(v):String(v))})' "$1"; }
post() { curl -sS -X POST "$CLOUD$1" -H 'content-type: application/json' "${@:3}" -d "$2"; }
check() { if [ "$2" = "$3" ]; then echo "ok   $1"; else echo "FAIL $1: expected $3, got $2" >&2; exit 1; fi; }

check "register" "$(post /api/auth/register "{\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\",\"name\":\"Owner\",\"agreeTerms\":true,\"agreePrivacy\":true}" | field ok)" true
login="$(post /api/auth/login "{\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\"}")"
access="$(echo "$login" | field data.accessToken)"
check "login" "$(echo "$login" | field ok)" true
auth=(-H "authorization: Bearer $access")

if [ -z "$PIN" ]; then
  PIN="$(node agent/bin/homecam.js pair --json --config "$DEMO/agent.yaml" | field pin)"
fi
claim="$(post /api/connection/establish "{\"pin\":\"$PIN\"}" "${auth[@]}")"
check "paired with PIN $PIN" "$(echo "$claim" | field ok)" true
echo "     device $(echo "$claim" | field data.deviceName), role $(echo "$claim" | field data.role)"

# The first clip the agent uploaded after pairing (events before pairing are indexed too).
recording=""
for _ in $(seq 1 "$WAIT_S"); do
  recording="$(curl -sS "$CLOUD/api/recordings?uploaded=true&limit=1" "${auth[@]}" | field data.recordings.0.id)"
  [ -n "$recording" ] && break
  sleep 1
done
check "an uploaded clip is in the cloud" "$([ -n "$recording" ] && echo yes || echo no)" yes

events="$(curl -sS "$CLOUD/api/events?limit=5" "${auth[@]}")"
echo "     latest events:"
echo "$events" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{for(const e of JSON.parse(s).data.events)console.log(`       ${e.startedAt}  ${e.type}  score ${e.score.toFixed(2)}  ${e.endedAt?`${(e.durationMs/1000).toFixed(1)} s`:"still going"}`)})'

url="$(curl -sS "$CLOUD/api/clips/$recording/presign-get" "${auth[@]}" | field data.url)"
check "download URL issued" "$([ -n "$url" ] && echo yes || echo no)" yes
mkdir -p "$DEMO/downloads"
out="$DEMO/downloads/$recording.mp4"
check "clip downloaded" "$(curl -sS -o "$out" -w '%{http_code}' "$url")" 200
duration="$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$out")"
check "ffprobe reads the clip" "$([ -n "$duration" ] && echo yes || echo no)" yes
echo "     clip: $out ($(stat -c %s "$out") bytes, ${duration} s)"
echo "     play it in a browser for the next 5 minutes: $url"
echo "     unread notifications: $(curl -sS "$CLOUD/api/notifications/unread-count" "${auth[@]}" | field data.count)"
echo "evidence flow: all checks passed"
