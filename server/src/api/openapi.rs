//! `GET /api/openapi.json`: the widget API described for partners' tooling.

use axum::Json;
use serde_json::{json, Value};

fn error_responses(codes: &[(&str, &str)]) -> Value {
    let mut responses = serde_json::Map::new();
    for (status, description) in codes {
        responses.insert(
            (*status).into(),
            json!({ "description": description, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }),
        );
    }
    Value::Object(responses)
}

fn merge(mut a: Value, b: Value) -> Value {
    if let (Some(a), Value::Object(b)) = (a.as_object_mut(), b) {
        a.extend(b);
    }
    a
}

fn ok(schema: &str) -> Value {
    json!({ "200": { "description": "OK", "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{schema}") } } } } })
}

pub async fn document() -> Json<Value> {
    let auth = json!([{ "session": [] }]);
    let quote_id = json!([{ "name": "quote_id", "in": "path", "required": true, "schema": { "type": "string" } }]);
    let trade_id = json!([{ "name": "trade_id", "in": "path", "required": true, "schema": { "type": "string" } }]);
    let decimal = json!({ "type": "string", "pattern": "^[0-9]+(\\.[0-9]+)?$", "description": "exact decimal string" });
    Json(json!({
        "openapi": "3.1.0",
        "info": { "title": "Quote widget API", "version": env!("CARGO_PKG_VERSION"),
                  "description": "The companion server's API for the quote widget. The browser sends intents and ids; the server holds every key and term." },
        "components": {
            "securitySchemes": { "session": { "type": "http", "scheme": "bearer", "description": "session_token from POST /api/sessions" } },
            "schemas": {
                "Error": { "type": "object", "required": ["error"], "properties": { "error": { "type": "object", "required": ["code", "message"], "properties": {
                    "code": { "type": "string" }, "message": { "type": "string" }, "field": { "type": "string" },
                    "min_order_usdt": decimal, "max_order_usdt": decimal, "retry_after_ms": { "type": "integer" } } } } },
                "Session": { "type": "object", "required": ["session_token", "expires_at"], "properties": {
                    "session_token": { "type": "string" }, "expires_at": { "type": "string", "format": "date-time" } } },
                "Pools": { "type": "object", "required": ["pools", "server_time"], "properties": {
                    "server_time": { "type": "string", "format": "date-time" },
                    "pools": { "type": "array", "items": { "type": "object", "properties": {
                        "pool_id": { "type": "string" }, "source_asset": { "type": "string" }, "target_asset": { "type": "string" },
                        "sides": { "type": "array", "items": { "enum": ["buy", "sell"] } }, "networks": { "type": "array", "items": { "type": "string" } },
                        "min_order_usdt": decimal, "max_order_usdt": decimal, "available": { "type": "boolean" } } } } } },
                "QuoteIntent": { "type": "object", "required": ["pool_id", "side", "amount", "currency"], "properties": {
                    "pool_id": { "type": "string" }, "side": { "enum": ["buy", "sell"] }, "amount": decimal, "currency": { "type": "string" },
                    "quote_type": { "enum": ["indicative", "firm"], "default": "firm" }, "network": { "type": "string" },
                    "destination_address": { "type": "string" }, "partner_reference": { "type": "string" } } },
                "Quote": { "type": "object", "required": ["available", "server_time"], "properties": {
                    "available": { "type": "boolean" }, "quote_type": { "enum": ["indicative", "firm"] }, "quote_id": { "type": "string" },
                    "unavailable_reason": { "type": "string" }, "retry_after_ms": { "type": "integer" }, "server_time": { "type": "string", "format": "date-time" },
                    "terms": { "type": "object", "properties": {
                        "pool_id": { "type": "string" }, "side": { "type": "string" }, "source_asset": { "type": "string" }, "source_amount": decimal,
                        "target_asset": { "type": "string" }, "target_amount": decimal, "rate": decimal, "spread_bps": decimal, "fee_bps": decimal,
                        "network": { "type": "string" }, "destination_address": { "type": "string" },
                        "created_at": { "type": "string", "format": "date-time" }, "expires_at": { "type": "string", "format": "date-time" },
                        "executable": { "type": "boolean" } } } } },
                "Reject": { "type": "object", "properties": { "quote_id": { "type": "string" }, "status": { "const": "rejected" } } },
                "Trade": { "type": "object", "properties": {
                    "trade_id": { "type": "string" }, "quote_id": { "type": "string" }, "status": { "enum": ["reserved", "settled", "failed", "released"] },
                    "pool_id": { "type": "string" }, "side": { "type": "string" }, "source_asset": { "type": "string" }, "source_amount": decimal,
                    "target_asset": { "type": "string" }, "target_amount": decimal, "network": { "type": "string" }, "destination_address": { "type": "string" },
                    "created_at": { "type": "string" }, "updated_at": { "type": "string" }, "partner_reference": { "type": "string" },
                    "server_time": { "type": "string" } } }
            }
        },
        "paths": {
            "/api/sessions": { "post": { "summary": "Start a widget session (with PARTNER_API_KEY set: the partner backend mints, with that key as Bearer)",
                "responses": merge(json!({ "201": { "description": "Created", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Session" } } } } }),
                                   error_responses(&[("401", "partner_key_invalid")])) } },
            "/api/pools": { "get": { "summary": "Entitled pools", "responses": merge(ok("Pools"), error_responses(&[("502", "upstream_unavailable")])) } },
            "/api/quotes": { "post": { "summary": "Ask for an indicative or firm quote", "security": auth,
                "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/QuoteIntent" } } } },
                "responses": merge(ok("Quote"), error_responses(&[
                    ("400", "invalid_json, invalid_field, amount_required, amount_invalid, amount_not_positive, amount_too_precise, amount_too_large, destination_required"),
                    ("401", "session_required, session_invalid, session_expired"), ("413", "payload_too_large"),
                    ("422", "unknown_pool, pool_unavailable, unsupported_side, unsupported_network, unsupported_currency, amount_out_of_limits"),
                    ("429", "rate_limited"), ("502", "upstream_unavailable"), ("503", "upstream_busy, storage_unavailable")])) } },
            "/api/quotes/{quote_id}/accept": { "post": { "summary": "Execute a firm quote, once", "security": auth, "parameters": quote_id,
                "responses": merge(ok("Trade"), error_responses(&[("401", "session_*"), ("404", "quote_not_found"), ("409", "quote_rejected, quote_not_executable"),
                    ("410", "quote_expired"), ("503", "accept_pending (retry: never executes twice)")])) } },
            "/api/quotes/{quote_id}/reject": { "post": { "summary": "Decline a firm quote", "security": auth, "parameters": quote_id,
                "responses": merge(ok("Reject"), error_responses(&[("404", "quote_not_found"), ("409", "quote_already_accepted, quote_not_executable")])) } },
            "/api/trades/{trade_id}": { "get": { "summary": "A trade's status", "security": auth, "parameters": trade_id,
                "responses": merge(ok("Trade"), error_responses(&[("404", "trade_not_found")])) } },
            "/api/trades/{trade_id}/events": { "get": { "summary": "Server-Sent Events: `status` events carrying a Trade, until a terminal status", "security": auth, "parameters": trade_id,
                "responses": merge(json!({ "200": { "description": "text/event-stream", "content": { "text/event-stream": {} } } }), error_responses(&[("404", "trade_not_found")])) } },
            "/webhooks/0pools": { "post": { "summary": "0Pools webhooks (signed with 0Pools-Signature)",
                "responses": merge(json!({ "200": { "description": "Received (or a duplicate)" } }),
                                   error_responses(&[("400", "signature_missing, signature_malformed, signature_stale, signature_mismatch, invalid_event")])) } },
            "/healthz": { "get": { "summary": "Liveness", "responses": { "200": { "description": "ok" } } } }
        }
    }))
}
