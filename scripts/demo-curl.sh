#!/usr/bin/env bash
# The account flow against a running demo (`npm start`), with plain curl:
# register → code from .demo/mail/ → verify → log in → refresh → refresh-token reuse detection →
# forged tokens refused → wrong passwords end in 429.
#   bash scripts/demo-curl.sh [cloud-url] [mail-dir]
# Reuse detection waits out the refresh grace window (auth.refreshReuseGraceSeconds, 10 s by
# default); the demo test shortens it with HOMECAM_AUTH_REFRESH_REUSE_GRACE_SECONDS.
set -euo pipefail
cd "$(dirname "$0")/.."
CLOUD="${1:-http://127.0.0.1:4001}"
MAIL="${2:-.demo/mail}"
GRACE="${HOMECAM_AUTH_REFRESH_REUSE_GRACE_SECONDS:-10}"
EMAIL="demo-$(date +%s)-$RANDOM@example.com"
PASSWORD="correct horse battery staple"

# field JSON path: tiny JSON reader (node is already required by homecam).
field() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{let v=JSON.parse(s);for(const k of process.argv[1].split("."))v=v?.[k];process.stdout.write(v===undefined?"":String(v))})' "$1"; }
post() { curl -sS -X POST "$CLOUD$1" -H 'content-type: application/json' "${@:3}" -d "$2"; }
status_of() { curl -sS -o /dev/null -w '%{http_code}' "$@"; }
check() { if [ "$2" = "$3" ]; then echo "ok   $1"; else echo "FAIL $1: expected $3, got $2" >&2; exit 1; fi; }

check "register" "$(post /api/auth/register "{\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\",\"name\":\"Demo\",\"agreeTerms\":true,\"agreePrivacy\":true}" | field ok)" true

mailfile=""
for _ in $(seq 1 50); do
  mailfile="$(grep -l -- "$EMAIL" "$MAIL"/*.txt 2>/dev/null | tail -n 1 || true)"
  [ -n "$mailfile" ] && break
  sleep 0.1
done
code="$(grep -oE '\b[0-9]{6}\b' "$mailfile" | head -n 1)"
check "verification code read from $(basename "$mailfile")" "${#code}" 6

login="$(post /api/auth/login "{\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\"}")"
access="$(echo "$login" | field data.accessToken)"
refresh1="$(echo "$login" | field data.refreshToken)"
check "login" "$(echo "$login" | field ok)" true

check "verify e-mail" "$(post /api/profile/verify-email "{\"code\":\"$code\"}" -H "authorization: Bearer $access" | field ok)" true
check "e-mail verified" "$(curl -sS "$CLOUD/api/profile/email-verification-status" -H "authorization: Bearer $access" | field data.emailVerified)" true

refreshed="$(post /api/auth/refresh "{\"refreshToken\":\"$refresh1\"}")"
refresh2="$(echo "$refreshed" | field data.refreshToken)"
check "refresh rotates the token" "$(echo "$refreshed" | field ok)" true

sleep "$((GRACE + 1))"
check "reuse of a rotated refresh token is refused" \
  "$(status_of -X POST "$CLOUD/api/auth/refresh" -H 'content-type: application/json' -d "{\"refreshToken\":\"$refresh1\"}")" 401
check "…and revokes the newest token of its family" \
  "$(status_of -X POST "$CLOUD/api/auth/refresh" -H 'content-type: application/json' -d "{\"refreshToken\":\"$refresh2\"}")" 401

header_none="$(printf '{"alg":"none","typ":"at+jwt"}' | base64 -w0 | tr '+/' '-_' | tr -d '=')"
payload="$(echo "$access" | cut -d. -f2)"
check "alg:none token refused" "$(status_of "$CLOUD/api/profile" -H "authorization: Bearer $header_none.$payload.")" 401
tampered="$(echo "$access" | cut -d. -f1).$(printf '{"sub":"x","role":"admin"}' | base64 -w0 | tr '+/' '-_' | tr -d '=').$(echo "$access" | cut -d. -f3)"
check "tampered token refused" "$(status_of "$CLOUD/api/profile" -H "authorization: Bearer $tampered")" 401
check "refresh token used as an access token refused" "$(status_of "$CLOUD/api/profile" -H "authorization: Bearer $refresh2")" 401

last=""
for i in $(seq 1 30); do
  last="$(status_of -X POST "$CLOUD/api/auth/login" -H 'content-type: application/json' -d "{\"email\":\"$EMAIL\",\"password\":\"wrong password $i\"}")"
  [ "$last" = 429 ] && break
done
check "wrong passwords end in 429 (after $i tries)" "$last" 429
echo "account flow: all checks passed"
