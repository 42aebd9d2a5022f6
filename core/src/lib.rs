//! Wire types and pure domain logic shared by the widget (compiled to wasm) and the
//! companion server (native). Nothing here touches the network, the DOM or a clock:
//! callers pass "now" in, so every rule is testable with plain `cargo test`.

pub mod accept;
pub mod amount;
pub mod chart;
pub mod codec;
pub mod copy;
pub mod countdown;
pub mod display;
pub mod flow;
pub mod form;
pub mod host_event;
pub mod locales;
pub mod notional;
pub mod partner;
pub mod preview;
pub mod program;
pub mod provenance;
pub mod sse;
pub mod stage_copy;
pub mod time;
pub mod vocab;
pub mod wire;
