//! Embedding for host pages: `QuoteWidget.mount(element, options)` returning
//! `{ update(options), destroy() }`, and the `<quote-widget>` custom element built
//! on it. Each widget renders in its own shadow root with the stylesheet inside, so
//! host CSS cannot break it and its CSS cannot leak out.

use crate::api::{Api, TokenSource};
use crate::components::gallery::Gallery;
use crate::components::Widget;
use crate::host::{Defaults, Emitter, Host};
use js_sys::{Array, Function, Object, Reflect};
use leptos::prelude::*;
use quote_core::copy::CopyDeck;
use quote_core::display::Locale;
use std::any::Any;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, ShadowRootInit, ShadowRootMode};

/// The widget's stylesheet, placed inside every shadow root.
const WIDGET_CSS: &str = include_str!("../style/widget.css");

#[wasm_bindgen(inline_js = r#"
export function define_quote_widget(mount) {
  if (customElements.get('quote-widget')) return;
  const ATTRS = ['api-base', 'session-token', 'pool', 'side', 'amount', 'network', 'destination',
                 'lock', 'partner-reference', 'locale', 'theme', 'widget-id'];
  const camel = (s) => s.replace(/-([a-z])/g, (_, c) => c.toUpperCase());
  class QuoteWidgetElement extends HTMLElement {
    static get observedAttributes() { return ATTRS; }
    options() {
      const o = {};
      for (const a of ATTRS) { const v = this.getAttribute(a); if (v !== null) o[camel(a)] = v; }
      o.id = o.widgetId || this.id || undefined;
      if (this.copy) o.copy = this.copy;
      if (typeof this.getSessionToken === 'function') o.getSessionToken = this.getSessionToken;
      return o;
    }
    connectedCallback() { if (!this.handle) this.handle = mount(this, this.options()); }
    disconnectedCallback() { if (this.handle) { this.handle.destroy(); this.handle = null; } }
    attributeChangedCallback() { if (this.handle) this.handle.update(this.options()); }
  }
  customElements.define('quote-widget', QuoteWidgetElement);
}
"#)]
extern "C" {
    fn define_quote_widget(mount: &Function);
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Theme {
    Auto,
    Light,
    Dark,
}

/// Options as the host gave them (camelCase, all optional).
#[derive(Clone)]
struct Options {
    api_base: String,
    tokens: TokenSource,
    id: String,
    defaults: Defaults,
    lock: Vec<String>,
    partner_reference: Option<String>,
    locale: Locale,
    copy: Vec<(String, String)>,
    theme: Theme,
}

fn string(options: &JsValue, key: &str) -> Option<String> {
    Reflect::get(options, &key.into()).ok()?.as_string().filter(|s| !s.is_empty())
}

impl Options {
    fn read(options: &JsValue, element: &HtmlElement) -> Result<Options, JsValue> {
        if !options.is_undefined() && !options.is_null() && !options.is_object() {
            return Err(JsValue::from_str("QuoteWidget: options must be an object"));
        }
        let o = if options.is_object() { options.clone() } else { Object::new().into() };
        // Served by the companion server, the loader tells us where the server is.
        let default_base = Reflect::get(&window(), &"QuoteWidget".into())
            .ok()
            .and_then(|q| Reflect::get(&q, &"defaultApiBase".into()).ok())
            .and_then(|v| v.as_string())
            .unwrap_or_default();
        let tokens = match (Reflect::get(&o, &"getSessionToken".into()).ok().and_then(|f| f.dyn_into::<Function>().ok()), string(&o, "sessionToken")) {
            (Some(f), _) => TokenSource::Provider(f),
            (None, Some(t)) => TokenSource::Fixed(t),
            (None, None) => TokenSource::Anonymous,
        };
        let lock = match Reflect::get(&o, &"lock".into()) {
            Ok(v) if Array::is_array(&v) => Array::from(&v).iter().filter_map(|x| x.as_string()).collect(),
            Ok(v) => v.as_string().map(|s| s.split([',', ' ']).filter(|x| !x.is_empty()).map(str::to_owned).collect()).unwrap_or_default(),
            Err(_) => Vec::new(),
        };
        let copy = Reflect::get(&o, &"copy".into())
            .ok()
            .filter(JsValue::is_object)
            .map(|c| {
                Object::entries(&c.unchecked_into())
                    .iter()
                    .filter_map(|pair| {
                        let pair = Array::from(&pair);
                        Some((pair.get(0).as_string()?, pair.get(1).as_string()?))
                    })
                    .collect()
            })
            .unwrap_or_default();
        Ok(Options {
            api_base: string(&o, "apiBase").unwrap_or(default_base),
            tokens,
            id: string(&o, "id").or_else(|| Some(element.id()).filter(|i| !i.is_empty())).unwrap_or_else(|| "default".into()),
            defaults: Defaults {
                pool: string(&o, "pool"),
                side: string(&o, "side"),
                amount: string(&o, "amount"),
                network: string(&o, "network"),
                destination: string(&o, "destination"),
            },
            lock,
            partner_reference: string(&o, "partnerReference"),
            locale: Locale::parse(&string(&o, "locale").unwrap_or_default()),
            copy,
            theme: match string(&o, "theme").as_deref() {
                Some("dark") => Theme::Dark,
                Some("light") => Theme::Light,
                _ => Theme::Auto,
            },
        })
    }

    /// What a change of requires re-rendering (copy and language are baked into the view).
    fn render_key(&self) -> (Locale, Vec<(String, String)>, String, String) {
        (self.locale, self.copy.clone(), self.api_base.clone(), self.id.clone())
    }
}

/// Creates `<div>` ▸ shadow root ▸ (`<style>`, `<div class="qw-root">`) inside `element`.
fn shadow_root(element: &HtmlElement) -> Result<(HtmlElement, HtmlElement), JsValue> {
    let doc = document();
    let host: HtmlElement = doc.create_element("div")?.unchecked_into();
    host.set_attribute("data-quote-widget-host", "")?;
    // Inline style: beats host rules such as `* { all: unset }` that are not !important.
    host.set_attribute("style", "display:block")?;
    element.append_child(&host)?;
    let shadow = host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))?;
    let style = doc.create_element("style")?;
    style.set_text_content(Some(WIDGET_CSS));
    shadow.append_child(&style)?;
    let root: HtmlElement = doc.create_element("div")?.unchecked_into();
    shadow.append_child(&root)?;
    Ok((host, root))
}

struct Instance {
    element: HtmlElement,
    shadow_host: HtmlElement,
    root: HtmlElement,
    host: Host,
    options: Options,
    /// The mounted Leptos view; dropping it unmounts and runs every cleanup.
    mounted: Option<Box<dyn Any>>,
}

impl Instance {
    fn mount(element: HtmlElement, options: Options) -> Result<Instance, JsValue> {
        let (shadow_host, root) = shadow_root(&element)?;
        let host = Host::new(Emitter::on(element.clone().unchecked_into()));
        let mut instance = Instance { element, shadow_host, root, host, options, mounted: None };
        instance.apply_live();
        instance.host.apply_defaults(&instance.options.defaults);
        instance.render();
        Ok(instance)
    }

    /// (Re)builds the view. Copy and language are baked into it, so changing them
    /// means a new view; the form's state carries over through the host's signals.
    fn render(&mut self) {
        self.mounted = None;
        let o = &self.options;
        let (deck, unknown) = CopyDeck::for_locale(o.locale, o.copy.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        if !unknown.is_empty() {
            web_sys::console::warn_1(&format!("QuoteWidget: unknown copy keys ignored: {}", unknown.join(", ")).into());
        }
        let api = Api::new(o.api_base.clone()).scoped(o.id.clone()).with_tokens(o.tokens.clone());
        let (host, locale) = (self.host.clone(), o.locale);
        let handle = leptos::mount::mount_to(self.root.clone(), move || {
            provide_context(host);
            view! { <Widget api deck locale /> }
        });
        self.mounted = Some(Box::new(handle));
    }

    /// What changes without re-rendering: theme, locks, order id.
    fn apply_live(&self) {
        let theme = match self.options.theme {
            Theme::Auto => "",
            Theme::Light => " qw-theme-light",
            Theme::Dark => " qw-theme-dark",
        };
        self.root.set_class_name(&format!("qw-root{theme}"));
        self.host.locked.set(self.options.lock.clone());
        self.host.partner_reference.set(self.options.partner_reference.clone());
    }

    fn update(&mut self, options: Options) {
        let rerender = options.render_key() != self.options.render_key() || !same_tokens(&options.tokens, &self.options.tokens);
        if rerender {
            // Never write to a signal the old view may still read: the new view gets
            // fresh ones, and the old ones are simply left behind.
            self.host = self.host.fork();
        }
        if options.defaults != self.options.defaults {
            self.host.apply_defaults(&options.defaults);
        }
        self.options = options;
        self.apply_live();
        if rerender {
            self.render();
        }
    }

    fn destroy(mut self) {
        self.mounted = None;
        let _ = self.element.remove_child(&self.shadow_host);
    }
}

fn same_tokens(a: &TokenSource, b: &TokenSource) -> bool {
    match (a, b) {
        (TokenSource::Anonymous, TokenSource::Anonymous) => true,
        (TokenSource::Fixed(x), TokenSource::Fixed(y)) => x == y,
        (TokenSource::Provider(x), TokenSource::Provider(y)) => x == y,
        _ => false,
    }
}

/// `QuoteWidget.mount(element, options)`.
fn mount(element: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    let element: HtmlElement = element
        .dyn_into()
        .map_err(|_| JsValue::from_str("QuoteWidget.mount: the first argument must be an HTML element"))?;
    let options = Options::read(&options, &element)?;
    let instance = Rc::new(RefCell::new(Some(Instance::mount(element.clone(), options)?)));

    let handle = Object::new();
    let target = element.clone();
    let updating = Rc::clone(&instance);
    let update = Closure::<dyn Fn(JsValue) -> Result<(), JsValue>>::new(move |options: JsValue| {
        if let Some(i) = updating.borrow_mut().as_mut() {
            i.update(Options::read(&options, &target)?);
        }
        Ok(())
    });
    let destroy = Closure::<dyn Fn()>::new(move || {
        if let Some(i) = instance.borrow_mut().take() {
            i.destroy();
        }
    });
    Reflect::set(&handle, &"update".into(), update.as_ref())?;
    Reflect::set(&handle, &"destroy".into(), destroy.as_ref())?;
    // The handle's two functions live as long as the page may call them; after
    // destroy() they hold nothing and do nothing.
    update.forget();
    destroy.forget();
    Ok(handle.into())
}

/// Defines `window.QuoteWidget` and `<quote-widget>` (once per page).
pub fn register() {
    let existing = Reflect::get(&window(), &"QuoteWidget".into()).ok().filter(|v| v.is_object());
    let api = existing.clone().unwrap_or_else(|| Object::new().into());
    if Reflect::get(&api, &"mount".into()).ok().is_some_and(|m| m.is_function()) {
        return;
    }
    let mount = Closure::<dyn Fn(JsValue, JsValue) -> Result<JsValue, JsValue>>::new(mount);
    let _ = Reflect::set(&api, &"mount".into(), mount.as_ref());
    if existing.is_none() {
        let _ = Reflect::set(&window(), &"QuoteWidget".into(), &api);
    }
    define_quote_widget(mount.as_ref().unchecked_ref());
    mount.forget();
}

/// The designer gallery, in a shadow root like any widget, on `element`.
pub fn mount_gallery(element: &HtmlElement) {
    if let Ok((_, root)) = shadow_root(element) {
        root.set_class_name("qw-root");
        leptos::mount::mount_to(root, Gallery).forget();
    }
}
