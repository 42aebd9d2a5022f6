//! The `vocabulary!` macro: one declaration per vocabulary, every word written once.

/// Declares a string-valued enum: `as_str`, `parse`, `Display`, comparison with
/// `&str`, serde as the bare string and (with `openapi`) a string schema: an `enum`
/// of the words when closed, the words in its description when open. `open` enums
/// take an `Other(String)` fallback for words not listed (and default to an empty
/// one).
macro_rules! vocabulary {
    ($(#[$doc:meta])* closed $name:ident { $($(#[$vdoc:meta])* $variant:ident = $word:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
        pub enum $name { #[default] $($(#[$vdoc])* $variant),+ }

        impl $name {
            /// Every word, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $word),+ }
            }
            pub fn parse(word: &str) -> Option<$name> {
                match word { $($word => Some($name::$variant),)+ _ => None }
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let word = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                $name::parse(&word).ok_or_else(|| {
                    serde::de::Error::unknown_variant(&word, &[$($word),+])
                })
            }
        }
        /// A stored word read back (a database column): an unknown word is an error.
        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(word: String) -> Result<Self, String> {
                $name::parse(&word).ok_or_else(|| format!("unknown {} {word:?}", stringify!($name)))
            }
        }
        /// Exactly these words.
        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($word),+]))
                    .into()
            }
        }
        vocabulary!(@common $name, [$($word),+]);
    };
    ($(#[$doc:meta])* open $name:ident { $($(#[$vdoc:meta])* $variant:ident = $word:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vdoc])* $variant,)+
            /// A word this build does not know (from a newer peer).
            Other(String),
        }

        /// A known word is found again by its word rather than copied arm by arm: the
        /// derived `Clone` of `ErrorCode` was a 1 KB jump table in the widget's wasm
        /// (issue #26). The same for every open vocabulary: a clone costs a string
        /// match, and none is cloned on a hot path. Words must be unique for this to
        /// give back the same variant (`tests::open_vocabularies_clone_to_themselves`).
        impl Clone for $name {
            fn clone(&self) -> Self {
                match self {
                    $name::Other(word) => $name::Other(word.clone()),
                    known => $name::parse(known.as_str()),
                }
            }
        }

        impl $name {
            /// Every word this build knows.
            pub const KNOWN: &'static [&'static str] = &[$($word),+];
            pub fn as_str(&self) -> &str {
                match self { $($name::$variant => $word,)+ $name::Other(word) => word }
            }
            /// Never fails: an unknown word is kept as `Other`.
            pub fn parse(word: &str) -> $name {
                match word { $($word => $name::$variant,)+ other => $name::Other(other.to_owned()) }
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                Ok($name::parse(&<std::borrow::Cow<'de, str>>::deserialize(d)?))
            }
        }
        /// No word at all (a struct's `Default`): an empty `Other`.
        impl Default for $name {
            fn default() -> Self {
                $name::Other(String::new())
            }
        }
        /// A stored word read back (a database column): never fails.
        impl From<String> for $name {
            fn from(word: String) -> Self {
                $name::parse(&word)
            }
        }
        /// A string naming today's words, not an `enum`: a client generated from the
        /// document must keep working when a word is added.
        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                let known = [$(concat!("`", $word, "`")),+].join(", ");
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .description(Some(format!("Known words: {known}. Others may be added: treat an unknown word as a generic one.")))
                    .examples([$name::KNOWN[0]])
                    .into()
            }
        }
        vocabulary!(@common $name, [$($word),+]);
    };
    (@common $name:ident, [$($word:literal),+]) => {
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool { self.as_str() == other }
        }
        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool { self.as_str() == *other }
        }
        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {}
    };
}
