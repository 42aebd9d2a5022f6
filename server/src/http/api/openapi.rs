//! `GET /api/openapi.json`: generated from the handlers' `#[utoipa::path]`
//! annotations and the wire types, collected by the same router that serves them
//! (`utoipa_axum`), so a route cannot exist undocumented. This module adds what
//! the annotations cannot say: the security schemes, the request constraints shared
//! by several bodies, and the links that walk a client through the flow
//! (checkout → quote → accept → trade).

use serde::Deserialize;
use utoipa::openapi::link::LinkBuilder;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::OpenApi;
use utoipa::{Modify, ToSchema};

/// A positive decimal string as the server parses it: digits, an optional `.` and up
/// to six more, at most twelve integer digits (leading zeros aside), not zero.
const AMOUNT_PATTERN: &str = r"^(?=.*[1-9])0*[0-9]{1,12}(\.[0-9]{1,6})?$";
/// Free text: 1–200 characters, no control characters (C0, DEL, C1), not blank.
const TEXT_PATTERN: &str = r"^[^\u0000-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F][^\u0000-\u001F\u007F-\u009F]*$";
/// An incident's note: not blank, no control characters but line breaks and tabs.
const NOTE_PATTERN: &str = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F][^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*$";
/// An exact decimal string the server answers with (amounts, rates, ratios).
const DECIMAL_PATTERN: &str = r"^-?[0-9]+(\.[0-9]+)?$";

/// The string kinds a field names with `#[schema(format = "…")]`, and what each
/// becomes in the document: its pattern (and length), each written once, here.
const STRING_KINDS: [(&str, &str, Option<usize>); 4] = [
    ("amount", AMOUNT_PATTERN, None),
    ("text", TEXT_PATTERN, Some(super::fields::MAX_TEXT)),
    ("decimal", DECIMAL_PATTERN, None),
    ("note", NOTE_PATTERN, Some(super::program::MAX_NOTE)),
];

/// Replaces each named string kind by its pattern (and length), everywhere in the
/// document: request bodies, answers and parameters alike.
fn name_patterns(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            let kind = map.get("format").and_then(|f| f.as_str()).and_then(|f| STRING_KINDS.iter().find(|(name, ..)| *name == f));
            if let Some((_, pattern, max_length)) = kind {
                map.remove("format");
                map.insert("pattern".into(), (*pattern).into());
                if let Some(max) = max_length {
                    map.insert("maxLength".into(), (*max).into());
                }
            }
            map.values_mut().for_each(name_patterns);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(name_patterns),
        _ => {}
    }
}

/// No control character (C0, DEL): what every path and query parameter must hold, as
/// `http::refuse_control_characters` enforces before any handler.
const ADDRESS_PATTERN: &str = r"^[^\u0000-\u001F\u007F]*$";
/// What that refusal answers, on every operation.
const ADDRESS_REFUSAL: &str = "`invalid_field` (field `url`): the path or query string holds a control character";

/// The refusal at the door, written into every operation: its 400 (added, or named in
/// the 400 the operation already documents) and the pattern on each string parameter.
fn document_address_refusal(value: &mut serde_json::Value) {
    use serde_json::{json, Value};
    let Some(paths) = value.get_mut("paths").and_then(Value::as_object_mut) else { return };
    for operation in paths.values_mut().filter_map(Value::as_object_mut).flat_map(|item| item.values_mut()) {
        for parameter in operation.get_mut("parameters").and_then(Value::as_array_mut).into_iter().flatten() {
            let Some(schema) = parameter.get_mut("schema").and_then(Value::as_object_mut) else { continue };
            let string = match schema.get("type") {
                Some(Value::String(t)) => t == "string",
                Some(Value::Array(types)) => types.iter().any(|t| t == "string"),
                _ => false,
            };
            if string && !schema.contains_key("pattern") && !schema.contains_key("format") && !schema.contains_key("enum") {
                schema.insert("pattern".into(), ADDRESS_PATTERN.into());
            }
        }
        let Some(responses) = operation.get_mut("responses").and_then(Value::as_object_mut) else { continue };
        match responses.get_mut("400").and_then(|r| r.get_mut("description")) {
            Some(Value::String(description)) => *description = format!("{description}; {ADDRESS_REFUSAL}"),
            _ => {
                let error = json!({"application/json": {"schema": {"$ref": "#/components/schemas/ApiErrorBody"}}});
                responses.insert("400".into(), json!({"description": ADDRESS_REFUSAL, "content": error}));
            }
        }
    }
}

/// What `POST /webhooks/0pools` receives (see 0Pools' contract).
#[derive(Deserialize, ToSchema)]
#[allow(dead_code)] // documents the body; the handler reads `zeropools::types::WebhookEvent`
pub(crate) struct WebhookEventBody {
    pub event_id: String,
    #[serde(rename = "type")]
    #[schema(rename = "type", example = "trade.settled")]
    pub event_type: String,
    #[schema(format = DateTime)]
    pub created_at: String,
    pub data: WebhookEventData,
}

#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
pub(crate) struct WebhookEventData {
    pub transact_id: String,
    pub quote_id: String,
    #[schema(value_type = quote_core::vocab::TradeStatus, example = "settled")]
    pub status: String,
}

/// One Server-Sent Event of `GET /api/trades/{trade_id}/events` (OpenAPI 3.1
/// describes an event stream by its events).
#[derive(ToSchema)]
#[allow(dead_code)] // documents the stream; the handler writes axum's `Event`
pub(crate) struct TradeStatusEvent {
    /// Always `status`.
    #[schema(pattern = "^status$", example = "status")]
    pub event: String,
    /// The status the event carries.
    #[schema(value_type = quote_core::vocab::TradeStatus)]
    pub id: String,
    /// The trade: a `TradeView` as JSON.
    #[schema(content_media_type = "application/json")]
    pub data: String,
}

/// `{"received": true, "duplicate": false}`.
#[derive(serde::Serialize, ToSchema)]
pub(crate) struct WebhookReceived {
    pub received: bool,
    pub duplicate: bool,
}

/// Info, servers and security schemes.
pub(crate) struct Document;

impl Modify for Document {
    fn modify(&self, doc: &mut OpenApi) {
        doc.info.title = "Quote widget companion server".into();
        doc.info.description = Some(
            "The widget API (client token), the partner API (partner key) and 0Pools' webhooks. The browser sends intents and ids; \
             the server holds every key and term. Every error is `{\"error\": {\"code\", \"message\", …}}` with a stable `code`."
                .into(),
        );
        let components = doc.components.get_or_insert_with(Default::default);
        let bearer =
            |what: &str| SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).description(Some(what.to_owned())).build());
        components.add_security_scheme(
            "client_token",
            bearer("A checkout's client token (`qws_…`), given to the widget by the partner's backend."),
        );
        components.add_security_scheme("partner_key", bearer("The partner's API key (`PARTNER_API_KEY`): server to server only."));
        components
            .add_security_scheme("metrics_token", bearer("The metrics scraper's token (`METRICS_TOKEN`), which is not the partner key."));
        components.add_security_scheme(
            "console_session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::http::console::COOKIE,
                "A partner console sign-in (POST /console/api/session): HttpOnly, SameSite=Strict. Reads only.",
            ))),
        );
        components.add_security_scheme(
            "webhook_signature",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "0Pools-Signature",
                "t=<unix seconds>,v1=<hex HMAC-SHA256(secret, \"<t>.<raw body>\")>",
            ))),
        );
        add_links(doc);
    }
}

/// The document as JSON, string kinds named by their patterns. utoipa 5 writes a link's fields in snake_case
/// (`operation_id`); OpenAPI spells them `operationId`, `operationRef`,
/// `requestBody`, so they are renamed here.
pub(crate) fn to_json(doc: &OpenApi) -> serde_json::Value {
    let mut value = serde_json::to_value(doc).unwrap_or_default();
    name_patterns(&mut value);
    document_address_refusal(&mut value);
    if let Some(schema) = value.pointer_mut("/components/schemas/CreateCheckout").and_then(|s| s.as_object_mut()) {
        schema.insert("allOf".into(), super::checkouts::CreateCheckout::cross_field_rules());
    }
    if let Some(paths) = value.get_mut("paths").and_then(|p| p.as_object_mut()) {
        for operation in paths.values_mut().filter_map(|item| item.as_object_mut()).flat_map(|item| item.values_mut()) {
            let Some(responses) = operation.get_mut("responses").and_then(|r| r.as_object_mut()) else { continue };
            for links in responses.values_mut().filter_map(|r| r.get_mut("links")).filter_map(|l| l.as_object_mut()) {
                for link in links.values_mut().filter_map(|l| l.as_object_mut()) {
                    for (from, to) in [("operation_id", "operationId"), ("operation_ref", "operationRef"), ("request_body", "requestBody")]
                    {
                        if let Some(v) = link.remove(from) {
                            link.insert(to.to_owned(), v);
                        }
                    }
                }
            }
        }
    }
    value
}

/// Links from created ids to the operations that take them.
fn add_links(doc: &mut OpenApi) {
    let link = |operation: &str, parameter: Option<(&str, &str)>, description: &str| {
        let mut b = LinkBuilder::new().operation_id(operation).description(description);
        if let Some((name, from)) = parameter {
            b = b.parameter(name, from);
        }
        b.build()
    };
    let mut attach = |path: &str, status: &str, links: Vec<(&str, utoipa::openapi::link::Link)>| {
        let Some(item) = doc.paths.paths.get_mut(path) else { return };
        let operation = item.post.as_mut().or(item.get.as_mut());
        let Some(operation) = operation else { return };
        if let Some(utoipa::openapi::RefOr::T(response)) = operation.responses.responses.get_mut(status) {
            for (name, l) in links {
                response.links.insert(name.to_owned(), l.into());
            }
        }
    };
    attach(
        "/api/checkouts",
        "201",
        vec![
            (
                "GetCheckout",
                link(
                    "get_checkout",
                    Some(("checkout_id", "$response.body#/checkout/checkout_id")),
                    "Read the checkout's status and trade (partner key).",
                ),
            ),
            ("CreateQuote", link("create_quote", None, "Ask for a quote in this checkout with `client_token` as the Bearer token.")),
        ],
    );
    attach(
        "/api/quotes",
        "200",
        vec![
            (
                "AcceptQuote",
                link(
                    "accept_quote",
                    Some(("quote_id", "$response.body#/quote_id")),
                    "Accept a firm quote (once; repeats answer the same trade).",
                ),
            ),
            ("RejectQuote", link("reject_quote", Some(("quote_id", "$response.body#/quote_id")), "Decline a firm quote.")),
        ],
    );
    attach(
        "/api/quotes/{quote_id}/accept",
        "200",
        vec![
            ("GetTrade", link("get_trade", Some(("trade_id", "$response.body#/trade_id")), "Read the trade.")),
            (
                "FollowTrade",
                link("trade_events", Some(("trade_id", "$response.body#/trade_id")), "Follow the trade's status as Server-Sent Events."),
            ),
        ],
    );
}
