//! In-browser component tests: run by wasm-bindgen-test in headless Chromium.
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use quote_core::wire::PoolView;
use quote_widget::components::{App, PoolList};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn container() -> web_sys::HtmlElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let div = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&div).unwrap();
    div.dyn_into_html()
}

trait IntoHtml {
    fn dyn_into_html(self) -> web_sys::HtmlElement;
}
impl IntoHtml for web_sys::Element {
    fn dyn_into_html(self) -> web_sys::HtmlElement {
        use wasm_bindgen::JsCast;
        self.dyn_into().unwrap()
    }
}

fn pool(id: &str, available: bool, max: Option<&str>) -> PoolView {
    PoolView {
        pool_id: id.into(),
        source_asset: "EUR".into(),
        target_asset: "USDT".into(),
        sides: vec!["buy".into()],
        networks: vec!["tron".into()],
        min_order_usdt: "10.00".parse().unwrap(),
        max_order_usdt: max.map(|m| m.parse().unwrap()),
        available,
    }
}

#[wasm_bindgen_test]
async fn pool_list_renders_each_pool_with_exact_limits() {
    let root = container();
    let pools = vec![pool("EUR-USDT", true, Some("5000.00")), pool("GBP-USDT", false, None)];
    let _handle = leptos::mount::mount_to(root.clone(), move || view! { <PoolList pools=pools.clone() /> });
    leptos::task::tick().await;
    let items = root.query_selector_all("[data-testid=pool]").unwrap();
    assert_eq!(items.length(), 2);
    let text = root.text_content().unwrap();
    assert!(text.contains("10.00 – 5000.00 USDT"), "{text}");
    assert!(text.contains("from 10.00 USDT"), "{text}");
    let second = root.query_selector("[data-pool-id=GBP-USDT]").unwrap().unwrap();
    assert_eq!(second.get_attribute("aria-disabled").as_deref(), Some("true"));
}

#[wasm_bindgen_test]
async fn app_shows_an_error_state_when_the_server_is_not_there() {
    // The test runner's own server has no /api/pools: the widget must say so, not go blank.
    let root = container();
    let _handle = leptos::mount::mount_to(root.clone(), App);
    let mut error = None;
    for _ in 0..100 {
        leptos::task::tick().await;
        error = root.query_selector("[data-testid=pools-error]").unwrap();
        if error.is_some() {
            break;
        }
        gloo_sleep(20).await;
    }
    let error = error.expect("the error state appears");
    assert_eq!(error.get_attribute("role").as_deref(), Some("alert"));
}

/// Yields to the browser's event loop so the fetch can complete.
async fn gloo_sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window().unwrap().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms).unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}
