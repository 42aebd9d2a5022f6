//! Embedding for host pages: `QuoteWidget.mount(element, options)` returning
//! `{ update(options), destroy() }`, and the `<quote-widget>` custom element built
//! on it. Each widget renders in its own shadow root with the stylesheet inside, so
//! host CSS cannot break it and its CSS cannot leak out.

mod options;

use crate::api::{Api, TokenSource};
use crate::components::Widget;
use crate::host::{Emitter, Host};
use crate::task::Tasks;
use js_sys::{Function, Object, Reflect};
use leptos::prelude::*;
use options::{Options, Theme};
use quote_core::copy::{CopyDeck, Translations};
use quote_core::display::Locale;
use std::any::Any;
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, ShadowRootInit, ShadowRootMode};

/// The widget's stylesheet, placed inside every shadow root: `style/widget.css` as
/// `build.rs` minifies it.
const WIDGET_CSS: &str = include_str!(concat!(env!("OUT_DIR"), "/widget.min.css"));

#[wasm_bindgen(inline_js = r#"
export function define_quote_widget(mount) {
  if (customElements.get('quote-widget')) return;
  const ATTRS = ['api-base', 'session-token', 'pool', 'side', 'amount', 'network', 'destination',
                 'lock', 'partner-reference', 'locale', 'theme', 'widget-id'];
  const camel = (s) => s.replace(/-([a-z])/g, (_, c) => c.toUpperCase());
  // Set as properties, these two apply at once too (not only when the element is inserted).
  const PROPS = ['copy', 'getSessionToken'];
  class QuoteWidgetElement extends HTMLElement {
    static get observedAttributes() { return ATTRS; }
    // Every option, `undefined` when absent: update() keeps what it is not given, so a
    // removed attribute or property must be given as cleared.
    options() {
      const o = {};
      for (const a of ATTRS) { const v = this.getAttribute(a); o[camel(a)] = v === null ? undefined : v; }
      o.id = o.widgetId || this.id || undefined;
      o.copy = this._copy || undefined;
      o.getSessionToken = typeof this._getSessionToken === 'function' ? this._getSessionToken : undefined;
      return o;
    }
    get copy() { return this._copy; }
    set copy(v) { this._copy = v; this.refresh(); }
    get getSessionToken() { return this._getSessionToken; }
    set getSessionToken(f) { this._getSessionToken = f; this.refresh(); }
    refresh() { if (this.handle) this.handle.update(this.options()); }
    connectedCallback() {
      // A property set before this element was defined is the instance's own; move it
      // behind the setters above.
      for (const p of PROPS) if (Object.prototype.hasOwnProperty.call(this, p)) { const v = this[p]; delete this[p]; this[p] = v; }
      if (!this.handle) this.handle = mount(this, this.options());
    }
    disconnectedCallback() { if (this.handle) { this.handle.destroy(); this.handle = null; } }
    attributeChangedCallback() { this.refresh(); }
  }
  customElements.define('quote-widget', QuoteWidgetElement);
}
"#)]
extern "C" {
    fn define_quote_widget(mount: &Function);
}

/// Creates `<div>` ▸ shadow root ▸ (`<style>`, `<div class="qw-root">`) inside `element`.
pub fn shadow_root(element: &HtmlElement) -> Result<(HtmlElement, HtmlElement), JsValue> {
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
        let (_, unknown) = CopyDeck::with_overrides(o.copy.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        if !unknown.is_empty() {
            web_sys::console::warn_1(&format!("QuoteWidget: unknown copy keys ignored: {}", unknown.join(", ")).into());
        }
        let api = Api::new(o.api_base.clone()).scoped(o.id.clone()).with_tokens(o.tokens.clone());
        let (host, locale, copy) = (self.host.clone(), o.locale, o.copy.clone());
        let handle = leptos::mount::mount_to(self.root.clone(), move || {
            provide_context(host);
            view! { <Localized api locale copy /> }
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
        let _ = self.element.remove_child(&self.shadow_host);
        // A view mounted in this same tick (a re-rendering `update()` just before) has
        // effects whose first run is already queued; unmounting under them would have
        // them read disposed signals. Unmount once they have run: that drops every
        // timer, request and stream of the widget.
        let mounted = self.mounted.take();
        leptos::task::spawn_local(async move {
            leptos::task::tick().await;
            drop(mounted);
        });
    }
}

/// The widget in `locale`: at once when its copy is here (English, or fetched
/// before), else once its file arrives, a placeholder of the widget's first size
/// holding its place meanwhile (the host's page does not move).
#[component]
fn Localized(api: Api, locale: Locale, copy: Vec<(String, String)>) -> impl IntoView {
    let deck = move |translations| CopyDeck::for_locale(locale, translations, copy.iter().map(|(k, v)| (k.as_str(), v.as_str()))).0;
    // The file is awaited through a plain signal, not a resource under `<Suspense>`
    // (see `Widget`: that machinery cost more than the rest of this component). One
    // place renders the widget, whether the copy was here at once or arrived.
    let loaded: RwSignal<Option<Option<Arc<Translations>>>> = RwSignal::new(crate::locales::ready(locale));
    if loaded.with_untracked(Option::is_none) {
        let base = api.base().to_owned();
        Tasks::here().spawn(async move { loaded.set(Some(crate::locales::load(locale, &base).await)) });
    }
    let api = StoredValue::new_local(api);
    let deck = StoredValue::new(deck);
    (move || match loaded.get() {
        None => view! { <div class="qw qw-placeholder" aria-busy="true" data-testid="widget-placeholder"></div> }.into_any(),
        Some(translations) => {
            let deck = deck.with_value(|d| d(translations));
            view! { <Widget api=api.get_value() deck locale /> }.into_any()
        }
    })
    .into_any()
}

fn same_tokens(a: &TokenSource, b: &TokenSource) -> bool {
    match (a, b) {
        (TokenSource::Anonymous, TokenSource::Anonymous) => true,
        (TokenSource::Fixed(x), TokenSource::Fixed(y)) => x == y,
        (TokenSource::Provider(x), TokenSource::Provider(y)) => x == y,
        _ => false,
    }
}

/// A copy of the host's options object (none given: an empty one).
fn as_object(options: &JsValue) -> Object {
    let given = options.dyn_ref::<Object>().cloned().unwrap_or_else(Object::new);
    Object::assign(&Object::new(), &given)
}

/// `QuoteWidget.mount(element, options)`.
fn mount(element: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    let element: HtmlElement =
        element.dyn_into().map_err(|_| JsValue::from_str("QuoteWidget.mount: the first argument must be an HTML element"))?;
    let read = Options::read(&options, &element)?;
    let instance = Rc::new(RefCell::new(Some(Instance::mount(element.clone(), read)?)));
    // The options as the host last gave them: `update()` changes only what it is
    // given (an option given as `undefined` is cleared), as `handle.update({ locale })`
    // reads. Replacing them all dropped the session source and the locks.
    let current = Rc::new(RefCell::new(as_object(&options)));

    let handle = Object::new();
    let target = element.clone();
    let updating = Rc::clone(&instance);
    let update = Closure::<dyn Fn(JsValue) -> Result<(), JsValue>>::new(move |options: JsValue| {
        if !(options.is_object() || options.is_undefined() || options.is_null()) {
            // Not options at all: refused as `mount()` would refuse it.
            Options::read(&options, &target)?;
        }
        let merged = Object::assign(&Object::assign(&Object::new(), &current.borrow()), &as_object(&options));
        if let Some(i) = updating.borrow_mut().as_mut() {
            i.update(Options::read(&merged, &target)?);
        }
        *current.borrow_mut() = merged;
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
