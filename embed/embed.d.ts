// Types for the quote widget's one script, served beside it as embed.d.ts:
//   <script type="module" src="https://YOUR-COMPANION-SERVER/embed.js"></script>
// or, from a bundled app, `import { QuoteWidget } from 'https://…/embed.js'`.
// Copy this file into your project (or reference it) to type the mount options, the
// handle, the <quote-widget> element and every event's `detail`.
// See docs/embedding.md for what each option and event means.

/** Money and rates are exact decimal strings (`"107.42"`), never numbers. */
export type DecimalString = string;
/** Timestamps are RFC 3339 strings in UTC (`"2026-06-28T20:14:30.000Z"`). */
export type Timestamp = string;

export type Side = 'buy' | 'sell';
export type Theme = 'light' | 'dark' | 'auto';
/** `en` and `de` have their own copy; other tags fall back to English. */
export type LocaleTag = 'en' | 'de' | (string & {});
/** The fields a host can lock (the user sees them, read-only). */
export type LockableField = 'pool' | 'side' | 'amount' | 'network' | 'destination';
export type TradeStatus = 'reserved' | 'settled' | 'failed' | 'released';
export type TerminalStatus = 'settled' | 'failed' | 'released';
/** Why 0Pools could not quote. A later version may add reasons: treat an unknown one as the generic case. */
export type UnavailableReason = 'pool_dry' | 'rate_unavailable' | 'network_unavailable' | 'maintenance' | 'busy' | 'headroom' | (string & {});

/**
 * Options of `QuoteWidget.mount(element, options)` and `handle.update(options)`.
 * All optional. An unknown name, or a value of the wrong type, throws an Error
 * naming the option.
 */
export interface MountOptions {
  /** The companion server; defaults to where embed.js was loaded from. */
  apiBase?: string;
  /** A session token your backend minted for this checkout (`POST /api/checkouts`). */
  sessionToken?: string;
  /** Called for a token, and again when the session expires. Wins over `sessionToken`. */
  getSessionToken?: () => string | Promise<string>;
  /** Separates the stored state of several widgets on one page. */
  id?: string;
  /** Same as `id` (the element's `widget-id` attribute). */
  widgetId?: string;
  /** Initial values (a checkout's bindings always win). */
  pool?: string;
  side?: Side;
  amount?: DecimalString;
  network?: string;
  destination?: string;
  /** Fields the user cannot change: an array, or one string separated by commas or spaces. */
  lock?: LockableField[] | string;
  /** Your order id; sent with every quote and stored with the trade. */
  partnerReference?: string;
  locale?: LocaleTag;
  /** Copy overrides by copy key (see the designer gallery for the keys). */
  copy?: Record<string, string>;
  theme?: Theme;
}

/** What `mount()` returns. Both functions are safe to call after `destroy()`. */
export interface WidgetHandle {
  update(options: MountOptions): void;
  /** Unmounts the widget: no timer, request or stream of it is left running. */
  destroy(): void;
}

export interface QuoteWidgetApi {
  mount(element: HTMLElement, options?: MountOptions): WidgetHandle;
  /** Where widgets send requests unless `apiBase` says otherwise. */
  defaultApiBase?: string;
}

export declare const QuoteWidget: QuoteWidgetApi;
export default QuoteWidget;

/** A quote's terms exactly as the companion server returned them. */
export interface QuoteTerms {
  pool_id: string;
  side: Side;
  source_asset: string;
  source_amount: DecimalString;
  target_asset: string;
  target_amount: DecimalString;
  rate: DecimalString;
  spread_bps: DecimalString;
  fee_bps: DecimalString;
  /** Absent (not null) when the quote has none: an estimate may have no network or destination. */
  network?: string;
  destination_address?: string;
  created_at: Timestamp;
  /** Firm quotes only: absent on an estimate. */
  expires_at?: Timestamp;
  executable: boolean;
}

/** `quote-widget:preview`: an indicative estimate arrived (never executable). */
export interface PreviewDetail {
  pool_id: string;
  side: Side;
  amount: DecimalString;
  terms: QuoteTerms;
}
/** `quote-widget:quote`: a firm quote was locked. */
export interface QuoteDetail {
  quote_id: string;
  expires_at: Timestamp | null;
  terms: QuoteTerms;
}
/** `quote-widget:unavailable`: 0Pools could not quote now. */
export interface UnavailableDetail {
  reason: UnavailableReason;
  retry_after_ms: number;
}
/** `quote-widget:expired`: the firm quote on screen expired. */
export interface ExpiredDetail {
  quote_id: string;
  expires_at: Timestamp | null;
}
/** `quote-widget:accepted`: the user accepted; the trade exists. */
export interface AcceptedDetail {
  quote_id: string;
  trade_id: string;
  status: TradeStatus;
}
/** `quote-widget:status`: the trade's status changed (the first is `reserved`). */
export interface StatusDetail {
  trade_id: string;
  quote_id: string;
  status: TradeStatus;
}
/** `quote-widget:terminal`: the trade ended. */
export interface TerminalDetail {
  trade_id: string;
  quote_id: string;
  status: TerminalStatus;
}
/** `quote-widget:error`: something went wrong that the user is told about. */
export interface ErrorDetail {
  code: string;
  message: string;
}

/** Every event the widget dispatches on its element. They bubble and cross shadow roots. */
export interface QuoteWidgetEventMap {
  'quote-widget:preview': CustomEvent<PreviewDetail>;
  'quote-widget:quote': CustomEvent<QuoteDetail>;
  'quote-widget:unavailable': CustomEvent<UnavailableDetail>;
  'quote-widget:expired': CustomEvent<ExpiredDetail>;
  'quote-widget:accepted': CustomEvent<AcceptedDetail>;
  'quote-widget:status': CustomEvent<StatusDetail>;
  'quote-widget:terminal': CustomEvent<TerminalDetail>;
  'quote-widget:error': CustomEvent<ErrorDetail>;
}

/**
 * The `<quote-widget>` element's attributes (strings, as in HTML). Each maps to the
 * mount option of the same name in camelCase (`api-base` → `apiBase`). Use it to
 * type the element in JSX (see docs/embedding.md for React and Vue).
 */
export interface QuoteWidgetAttributes {
  'api-base'?: string;
  'session-token'?: string;
  pool?: string;
  side?: Side;
  amount?: DecimalString;
  network?: string;
  destination?: string;
  /** Comma- or space-separated lockable fields. */
  lock?: string;
  'partner-reference'?: string;
  locale?: LocaleTag;
  theme?: Theme;
  'widget-id'?: string;
  id?: string;
}

/** `<quote-widget>`: attributes as above, plus two properties no attribute can carry. */
export interface QuoteWidgetElement extends HTMLElement {
  /** Copy overrides by copy key. */
  copy?: Record<string, string>;
  /** Called for a session token, and again when it expires. */
  getSessionToken?: () => string | Promise<string>;
  addEventListener<K extends keyof QuoteWidgetEventMap>(type: K, listener: (this: QuoteWidgetElement, ev: QuoteWidgetEventMap[K]) => unknown, options?: boolean | AddEventListenerOptions): void;
  addEventListener<K extends keyof HTMLElementEventMap>(type: K, listener: (this: QuoteWidgetElement, ev: HTMLElementEventMap[K]) => unknown, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof QuoteWidgetEventMap>(type: K, listener: (this: QuoteWidgetElement, ev: QuoteWidgetEventMap[K]) => unknown, options?: boolean | EventListenerOptions): void;
  removeEventListener<K extends keyof HTMLElementEventMap>(type: K, listener: (this: QuoteWidgetElement, ev: HTMLElementEventMap[K]) => unknown, options?: boolean | EventListenerOptions): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | EventListenerOptions): void;
}

declare global {
  interface Window {
    QuoteWidget: QuoteWidgetApi;
  }
  interface HTMLElementTagNameMap {
    'quote-widget': QuoteWidgetElement;
  }
  // The events bubble out of the element, so a page can listen on any ancestor.
  interface HTMLElementEventMap extends QuoteWidgetEventMap {}
  interface DocumentEventMap extends QuoteWidgetEventMap {}
  interface WindowEventMap extends QuoteWidgetEventMap {}
}
