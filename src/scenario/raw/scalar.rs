//! The leaves of the serde mirror: [`Scalar`] (a string, number or boolean, typed later by
//! validation), [`ScalarOr`] (a value or a table) and [`Field`] (an optional leaf).
//!
//! Owns nothing of the scenario's shape; the other `raw` files build the tables from these.
//! May call: serde only.

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use std::fmt;

/// A leaf value, typed by validation.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Scalar {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
}

impl Scalar {
    /// How the value appears in messages: strings quoted, floats as TOML writes them.
    pub(crate) fn describe(&self) -> String {
        match self {
            Scalar::Str(s) => format!("{s:?}"),
            Scalar::Int(n) => n.to_string(),
            Scalar::Float(x) if x.is_nan() => "nan".to_string(),
            Scalar::Float(x) if x.is_infinite() => if *x > 0.0 { "inf" } else { "-inf" }.to_string(),
            Scalar::Float(x) if *x != 0.0 && (x.abs() >= 1e6 || x.abs() < 1e-4) => format!("{x:e}"),
            Scalar::Float(x) => format!("{x:?}"),
            Scalar::Bool(b) => b.to_string(),
        }
    }
}

pub(super) struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string, number or boolean")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Scalar, E> {
        Ok(Scalar::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
        Ok(Scalar::Int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
        i64::try_from(v).map(Scalar::Int).map_err(|_| too_large(v))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Scalar, E> {
        i64::try_from(v).map(Scalar::Int).map_err(|_| too_large(v))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Scalar, E> {
        i64::try_from(v).map(Scalar::Int).map_err(|_| too_large(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
        Ok(Scalar::Float(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
        Ok(Scalar::Str(v.to_string()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Scalar, E> {
        Ok(Scalar::Str(v))
    }
}

fn too_large<E: de::Error>(v: impl fmt::Display) -> E {
    E::custom(format!("the integer {v} is too large (at most {})", i64::MAX))
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ScalarVisitor)
    }
}

/// A field that is either a plain value (`rate = 100`, `record_size = "1KiB"`) or a table.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ScalarOr<T> {
    Scalar(Scalar),
    Table(T),
}

struct ScalarOrVisitor<T>(std::marker::PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for ScalarOrVisitor<T> {
    type Value = ScalarOr<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a value or a table")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        ScalarVisitor.visit_bool(v).map(ScalarOr::Scalar)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        ScalarVisitor.visit_i64(v).map(ScalarOr::Scalar)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        ScalarVisitor.visit_u64(v).map(ScalarOr::Scalar)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        ScalarVisitor.visit_f64(v).map(ScalarOr::Scalar)
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Self::Value, E> {
        ScalarVisitor.visit_i128(v).map(ScalarOr::Scalar)
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Self::Value, E> {
        ScalarVisitor.visit_u128(v).map(ScalarOr::Scalar)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        ScalarVisitor.visit_str(v).map(ScalarOr::Scalar)
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        ScalarVisitor.visit_string(v).map(ScalarOr::Scalar)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        T::deserialize(de::value::MapAccessDeserializer::new(map)).map(ScalarOr::Table)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for ScalarOr<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ScalarOrVisitor(std::marker::PhantomData))
    }
}

/// An optional leaf field, as most fields of the mirror are.
pub(crate) type Field = Option<Scalar>;
