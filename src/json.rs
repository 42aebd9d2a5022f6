//! JSON as the browser holds it: a JS value from `JSON.parse` (or `response.json()`)
//! read into a Rust type with serde, and a Rust value written as a JS value shaped as
//! JSON would be. The browser parses and prints the text; the wasm has no JSON text
//! parser.
//!
//! Why our own serde adaptor instead of `serde-wasm-bindgen`: every caller only asks
//! whether a value has the expected shape, yet a serde error type that keeps messages
//! keeps serde's "invalid type: floating point `1.5`, expected …" formatting, and with
//! it Rust's whole float printer (Grisu and Dragon, their tables) and rust_decimal's
//! float parser: 2026-12-07, issue #26, that was 25 KB of the wasm (docs/performance.md).
//! Here the error is one word, [`Shapeless`], so that code is never reached and the
//! linker drops it. The API carries money as decimal strings and counts as integers, so
//! a JSON number with a fraction is not a shape any of our types has: it is refused
//! before any visitor sees a float.

use js_sys::{Array, Object, Reflect};
use serde::de::{self, DeserializeOwned, IntoDeserializer, Visitor};
use serde::ser::{self, Serialize};
use std::fmt;
use wasm_bindgen::{JsCast, JsValue};

/// The only error: the value does not have the shape the type asks for (or, writing,
/// the type cannot be written as JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shapeless;

impl fmt::Display for Shapeless {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not the expected shape")
    }
}

impl std::error::Error for Shapeless {}

impl de::Error for Shapeless {
    // The message is dropped unformatted: that is what keeps serde's messages out.
    fn custom<T: fmt::Display>(_: T) -> Self {
        Shapeless
    }
}

impl ser::Error for Shapeless {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Shapeless
    }
}

/// A parsed JSON value as a `T`, if it has that shape. Unknown object keys are ignored;
/// missing ones are what the type's defaults say.
pub fn read<T: DeserializeOwned>(value: JsValue) -> Result<T, Shapeless> {
    T::deserialize(Reader(value))
}

/// An object's own entries, each of whose values is a text, in the object's order; the
/// first entry that is not a text is the error (its key and value, for a message).
/// Without serde and without a map type in between (a hash map's code was 7.5 KB of
/// the wasm): the mount options' copy overrides and a locale file are both such objects.
pub fn text_entries(object: &Object) -> Result<Vec<(String, String)>, (String, JsValue)> {
    Object::entries(object)
        .iter()
        .map(|pair| {
            let key = Reflect::get_u32(&pair, 0).ok().and_then(|k| k.as_string()).unwrap_or_default();
            let value = Reflect::get_u32(&pair, 1).unwrap_or(JsValue::UNDEFINED);
            match value.as_string() {
                Some(text) => Ok((key, text)),
                None => Err((key, value)),
            }
        })
        .collect()
}

/// A value as a JS value shaped as JSON would be: objects (not `Map`s), arrays,
/// strings, integers as numbers, `null` for none.
pub fn write<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, Shapeless> {
    value.serialize(Writer)
}

/// The largest integer a JS number holds exactly (2^53 − 1).
const MAX_SAFE: f64 = 9_007_199_254_740_991.0;

/// What a JS value is, found by one function rather than inside every type's copy of
/// `deserialize_any` (one per visitor: 1.3 KB of the wasm, 2026-12-07).
enum Kind {
    Nothing,
    Bool(bool),
    Unsigned(u64),
    Signed(i64),
    Text(String),
    Items(Items),
    Entries(Entries),
}

impl Kind {
    #[inline(never)]
    fn of(value: JsValue) -> Result<Kind, Shapeless> {
        if value.is_null() || value.is_undefined() {
            return Ok(Kind::Nothing);
        }
        if let Some(b) = value.as_bool() {
            return Ok(Kind::Bool(b));
        }
        if let Some(n) = value.as_f64() {
            // Integers only (see the module's note): never a visitor's float path.
            if n.fract() != 0.0 || n.abs() > MAX_SAFE {
                return Err(Shapeless);
            }
            return Ok(if n < 0.0 { Kind::Signed(n as i64) } else { Kind::Unsigned(n as u64) });
        }
        if let Some(s) = value.as_string() {
            return Ok(Kind::Text(s));
        }
        if Array::is_array(&value) {
            return Ok(Kind::Items(Items { array: value.unchecked_into(), next: 0 }));
        }
        if value.is_object() {
            return Ok(Kind::Entries(Entries::of(&value)));
        }
        Err(Shapeless)
    }
}

/// Reads one JS value.
struct Reader(JsValue);

impl<'de> de::Deserializer<'de> for Reader {
    type Error = Shapeless;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Shapeless> {
        match Kind::of(self.0)? {
            Kind::Nothing => visitor.visit_unit(),
            Kind::Bool(b) => visitor.visit_bool(b),
            Kind::Unsigned(n) => visitor.visit_u64(n),
            Kind::Signed(n) => visitor.visit_i64(n),
            Kind::Text(s) => visitor.visit_string(s),
            Kind::Items(items) => visitor.visit_seq(items),
            Kind::Entries(entries) => visitor.visit_map(entries),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Shapeless> {
        if self.0.is_null() || self.0.is_undefined() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value, Shapeless> {
        visitor.visit_newtype_struct(self)
    }

    /// `"variant"` for a unit variant, `{"variant": value}` for the others (serde's
    /// external tagging, as the server writes them).
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Shapeless> {
        if let Some(word) = self.0.as_string() {
            return visitor.visit_enum(word.into_deserializer());
        }
        // `Object.entries` throws on `null`: only objects get this far.
        if !self.0.is_object() {
            return Err(Shapeless);
        }
        let pairs = Object::entries(self.0.unchecked_ref());
        if pairs.length() != 1 {
            return Err(Shapeless);
        }
        let pair: Array = pairs.get(0).unchecked_into();
        visitor.visit_enum(Variant { name: pair.get(0), value: pair.get(1) })
    }

    /// Unknown keys are skipped without being read.
    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Shapeless> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct identifier
    }
}

/// An array's items, in order.
struct Items {
    array: Array,
    next: u32,
}

impl Items {
    /// The next item; not generic, so not copied into every element type's reader.
    #[inline(never)]
    fn advance(&mut self) -> Option<JsValue> {
        if self.next >= self.array.length() {
            return None;
        }
        self.next += 1;
        Some(self.array.get(self.next - 1))
    }
}

impl<'de> de::SeqAccess<'de> for Items {
    type Error = Shapeless;

    fn next_element_seed<T: de::DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, Shapeless> {
        match self.advance() {
            Some(item) => seed.deserialize(Reader(item)).map(Some),
            None => Ok(None),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.array.length().saturating_sub(self.next) as usize)
    }
}

/// An object's own enumerable entries, as `Object.entries` lists them.
struct Entries {
    pairs: Array,
    next: u32,
    value: JsValue,
}

impl Entries {
    fn of(object: &JsValue) -> Self {
        Entries { pairs: Object::entries(object.unchecked_ref()), next: 0, value: JsValue::UNDEFINED }
    }

    /// The next key, keeping its value for `next_value_seed`; not generic (see [`Kind`]).
    #[inline(never)]
    fn advance(&mut self) -> Option<JsValue> {
        if self.next >= self.pairs.length() {
            return None;
        }
        let pair: Array = self.pairs.get(self.next).unchecked_into();
        self.next += 1;
        self.value = pair.get(1);
        Some(pair.get(0))
    }
}

impl<'de> de::MapAccess<'de> for Entries {
    type Error = Shapeless;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Shapeless> {
        match self.advance() {
            Some(key) => seed.deserialize(Reader(key)).map(Some),
            None => Ok(None),
        }
    }

    fn next_value_seed<V: de::DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Shapeless> {
        seed.deserialize(Reader(std::mem::replace(&mut self.value, JsValue::UNDEFINED)))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.pairs.length().saturating_sub(self.next) as usize)
    }
}

/// `{"variant": value}`: the variant's name, then its value.
struct Variant {
    name: JsValue,
    value: JsValue,
}

impl<'de> de::EnumAccess<'de> for Variant {
    type Error = Shapeless;
    type Variant = Reader;

    fn variant_seed<V: de::DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Reader), Shapeless> {
        Ok((seed.deserialize(Reader(self.name))?, Reader(self.value)))
    }
}

impl<'de> de::VariantAccess<'de> for Reader {
    type Error = Shapeless;

    fn unit_variant(self) -> Result<(), Shapeless> {
        Ok(())
    }

    fn newtype_variant_seed<T: de::DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Shapeless> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, Shapeless> {
        de::Deserializer::deserialize_any(self, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(self, _fields: &'static [&'static str], visitor: V) -> Result<V::Value, Shapeless> {
        de::Deserializer::deserialize_any(self, visitor)
    }
}

/// Writes one value as a JS value.
struct Writer;

/// A JS number for an integer, if it holds it exactly.
fn integer(n: f64) -> Result<JsValue, Shapeless> {
    if n.abs() <= MAX_SAFE {
        Ok(JsValue::from_f64(n))
    } else {
        Err(Shapeless)
    }
}

/// `{name: value}`, serde's external tagging.
fn tagged(name: &str, value: &JsValue) -> Result<JsValue, Shapeless> {
    let object = Object::new();
    set(&object, &JsValue::from_str(name), value)?;
    Ok(object.into())
}

fn set(object: &Object, key: &JsValue, value: &JsValue) -> Result<(), Shapeless> {
    Reflect::set(object, key, value).map(drop).map_err(|_| Shapeless)
}

/// Numbers a JS number always holds exactly.
macro_rules! exact_numbers {
    ($($method:ident: $t:ty),+) => {$(
        fn $method(self, v: $t) -> Result<JsValue, Shapeless> {
            Ok(JsValue::from_f64(v.into()))
        }
    )+};
}

impl ser::Serializer for Writer {
    type Ok = JsValue;
    type Error = Shapeless;
    type SerializeSeq = ArrayWriter;
    type SerializeTuple = ArrayWriter;
    type SerializeTupleStruct = ArrayWriter;
    type SerializeTupleVariant = ArrayWriter;
    type SerializeMap = ObjectWriter;
    type SerializeStruct = ObjectWriter;
    type SerializeStructVariant = ObjectWriter;

    exact_numbers!(serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_u8: u8, serialize_u16: u16, serialize_u32: u32, serialize_f32: f32);

    fn serialize_bool(self, v: bool) -> Result<JsValue, Shapeless> {
        Ok(JsValue::from_bool(v))
    }
    fn serialize_i64(self, v: i64) -> Result<JsValue, Shapeless> {
        integer(v as f64)
    }
    fn serialize_u64(self, v: u64) -> Result<JsValue, Shapeless> {
        integer(v as f64)
    }
    fn serialize_f64(self, v: f64) -> Result<JsValue, Shapeless> {
        Ok(JsValue::from_f64(v))
    }
    fn serialize_char(self, v: char) -> Result<JsValue, Shapeless> {
        Ok(JsValue::from_str(v.encode_utf8(&mut [0; 4])))
    }
    fn serialize_str(self, v: &str) -> Result<JsValue, Shapeless> {
        Ok(JsValue::from_str(v))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<JsValue, Shapeless> {
        let array = Array::new();
        for b in v {
            array.push(&JsValue::from_f64((*b).into()));
        }
        Ok(array.into())
    }
    fn serialize_none(self) -> Result<JsValue, Shapeless> {
        Ok(JsValue::NULL)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<JsValue, Shapeless> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<JsValue, Shapeless> {
        Ok(JsValue::NULL)
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<JsValue, Shapeless> {
        Ok(JsValue::NULL)
    }
    fn serialize_unit_variant(self, _name: &'static str, _index: u32, variant: &'static str) -> Result<JsValue, Shapeless> {
        Ok(JsValue::from_str(variant))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _name: &'static str, value: &T) -> Result<JsValue, Shapeless> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<JsValue, Shapeless> {
        tagged(variant, &value.serialize(self)?)
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<ArrayWriter, Shapeless> {
        Ok(ArrayWriter { array: Array::new(), variant: None })
    }
    fn serialize_tuple(self, len: usize) -> Result<ArrayWriter, Shapeless> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<ArrayWriter, Shapeless> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<ArrayWriter, Shapeless> {
        Ok(ArrayWriter { array: Array::new(), variant: Some(variant) })
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<ObjectWriter, Shapeless> {
        Ok(ObjectWriter { object: Object::new(), key: JsValue::UNDEFINED, variant: None })
    }
    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<ObjectWriter, Shapeless> {
        self.serialize_map(Some(len))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<ObjectWriter, Shapeless> {
        Ok(ObjectWriter { object: Object::new(), key: JsValue::UNDEFINED, variant: Some(variant) })
    }
}

/// An array being written (a sequence, a tuple, or a tuple variant's fields).
struct ArrayWriter {
    array: Array,
    variant: Option<&'static str>,
}

impl ArrayWriter {
    fn push<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Shapeless> {
        self.array.push(&value.serialize(Writer)?);
        Ok(())
    }
    fn finish(self) -> Result<JsValue, Shapeless> {
        match self.variant {
            Some(name) => tagged(name, &self.array),
            None => Ok(self.array.into()),
        }
    }
}

/// serde's four array-shaped writers differ only in their method's name.
macro_rules! array_writer {
    ($($trait:ident::$method:ident),+) => {$(
        impl ser::$trait for ArrayWriter {
            type Ok = JsValue;
            type Error = Shapeless;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Shapeless> {
                self.push(value)
            }
            fn end(self) -> Result<JsValue, Shapeless> {
                self.finish()
            }
        }
    )+};
}

array_writer!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

/// An object being written (a map, a struct, or a struct variant's fields).
struct ObjectWriter {
    object: Object,
    key: JsValue,
    variant: Option<&'static str>,
}

impl ObjectWriter {
    fn field<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result<(), Shapeless> {
        set(&self.object, &JsValue::from_str(key), &value.serialize(Writer)?)
    }
    fn finish(self) -> Result<JsValue, Shapeless> {
        match self.variant {
            Some(name) => tagged(name, &self.object),
            None => Ok(self.object.into()),
        }
    }
}

impl ser::SerializeMap for ObjectWriter {
    type Ok = JsValue;
    type Error = Shapeless;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Shapeless> {
        // JSON's keys are strings; a key that writes as anything else has no JSON form.
        self.key = key.serialize(Writer)?;
        if self.key.is_string() {
            Ok(())
        } else {
            Err(Shapeless)
        }
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Shapeless> {
        let key = std::mem::replace(&mut self.key, JsValue::UNDEFINED);
        set(&self.object, &key, &value.serialize(Writer)?)
    }
    fn end(self) -> Result<JsValue, Shapeless> {
        self.finish()
    }
}

/// A struct's fields and a struct variant's are written alike.
macro_rules! struct_writer {
    ($($trait:ident),+) => {$(
        impl ser::$trait for ObjectWriter {
            type Ok = JsValue;
            type Error = Shapeless;
            fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Shapeless> {
                self.field(key, value)
            }
            fn end(self) -> Result<JsValue, Shapeless> {
                self.finish()
            }
        }
    )+};
}

struct_writer!(SerializeStruct, SerializeStructVariant);
