//! A model's columns serialised straight into SQLite values, without a JSON tree in between.
//!
//! The generic path ([`crate::db::store::values::write_values`]) turns a model into a
//! `serde_json::Value` object and takes each declared column out of it: a map, its keys and
//! every text copied once more, for every row of a compare-and-set. Here the fields of a struct go to their
//! columns as serde hands them over. A field that is not a plain scalar (a list, a map, a
//! nested struct) or that fills a JSON column still goes through `serde_json`, and a model
//! that is not a struct at all makes [`columns`] answer `None`, so the caller takes the
//! generic path: both store the same values.

use std::fmt;

use rusqlite::types::Value as SqlValue;
use serde::{
    ser::{self, Impossible, SerializeStruct},
    Serialize,
};

use serde_json::Value;

use crate::db::table::{ColumnKind, Table};

/// The table's columns of `object`, in declaration order, as SQLite binds them; `None` when
/// the model is not a struct with a field for every column.
pub(crate) fn columns<O: Serialize>(table: &Table, object: &O) -> Option<Vec<SqlValue>> {
    object.serialize(Model { table }).ok()
}

/// A JSON value as SQLite stores it: scalars as themselves, and JSON columns (or nested
/// values) as their JSON text. The generic path binds each column through it, and the direct
/// one must bind what it would.
pub(crate) fn sqlite_value(value: Value, is_json: bool) -> SqlValue {
    if is_json {
        return SqlValue::Text(value.to_string());
    }
    match value {
        Value::Null => SqlValue::Null,
        Value::Bool(flag) => SqlValue::Integer(i64::from(flag)),
        Value::Number(number) => match (number.as_i64(), number.as_f64()) {
            (Some(integer), _) => SqlValue::Integer(integer),
            (None, Some(real)) => SqlValue::Real(real),
            (None, None) => SqlValue::Text(number.to_string()),
        },
        Value::String(text) => SqlValue::Text(text),
        nested @ (Value::Array(_) | Value::Object(_)) => SqlValue::Text(nested.to_string()),
    }
}

/// Why the direct path gave up; never shown, the caller falls back.
#[derive(Debug)]
pub(crate) struct Unsupported;

impl fmt::Display for Unsupported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not a flat struct")
    }
}

impl std::error::Error for Unsupported {}

impl ser::Error for Unsupported {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Unsupported
    }
}

/// Declares serializer methods that give up, for every shape a serializer does not take.
macro_rules! unsupported {
    ($($method:ident($($argument:ty),*) -> $ok:ty;)*) => {$(
        fn $method(self, $(_: $argument),*) -> Result<$ok, Unsupported> {
            Err(Unsupported)
        }
    )*};
}

/// The methods both serializers refuse: floats, bytes, enums and every compound but a struct.
macro_rules! refused_by_both {
    ($ok:ty) => {
        fn serialize_newtype_variant<T: ?Sized + Serialize>(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: &T,
        ) -> Result<$ok, Unsupported> {
            Err(Unsupported)
        }

        unsupported! {
            serialize_f32(f32) -> $ok;
            serialize_f64(f64) -> $ok;
            serialize_bytes(&[u8]) -> $ok;
            serialize_unit_struct(&'static str) -> $ok;
            serialize_unit_variant(&'static str, u32, &'static str) -> $ok;
            serialize_seq(Option<usize>) -> Self::SerializeSeq;
            serialize_tuple(usize) -> Self::SerializeTuple;
            serialize_tuple_struct(&'static str, usize) -> Self::SerializeTupleStruct;
            serialize_tuple_variant(&'static str, u32, &'static str, usize) -> Self::SerializeTupleVariant;
            serialize_map(Option<usize>) -> Self::SerializeMap;
            serialize_struct_variant(&'static str, u32, &'static str, usize) -> Self::SerializeStructVariant;
        }
    };
}

/// Declares serializer methods for integer types that fit an `i64`.
macro_rules! integers {
    ($($method:ident($integer:ty)),* $(,)?) => {$(
        fn $method(self, value: $integer) -> Result<SqlValue, Unsupported> {
            Ok(SqlValue::Integer(value.into()))
        }
    )*};
}

/// The model itself: only a struct is taken.
struct Model<'a> {
    table: &'a Table,
}

impl<'a> ser::Serializer for Model<'a> {
    type Ok = Vec<SqlValue>;
    type Error = Unsupported;
    type SerializeSeq = Impossible<Vec<SqlValue>, Unsupported>;
    type SerializeTuple = Impossible<Vec<SqlValue>, Unsupported>;
    type SerializeTupleStruct = Impossible<Vec<SqlValue>, Unsupported>;
    type SerializeTupleVariant = Impossible<Vec<SqlValue>, Unsupported>;
    type SerializeMap = Impossible<Vec<SqlValue>, Unsupported>;
    type SerializeStruct = Fields<'a>;
    type SerializeStructVariant = Impossible<Vec<SqlValue>, Unsupported>;

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Fields<'a>, Unsupported> {
        Ok(Fields {
            table: self.table,
            values: vec![None; self.table.columns().len()],
        })
    }

    fn serialize_some<T: ?Sized + Serialize>(self, _: &T) -> Result<Vec<SqlValue>, Unsupported> {
        Err(Unsupported)
    }

    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: &T,
    ) -> Result<Vec<SqlValue>, Unsupported> {
        Err(Unsupported)
    }

    refused_by_both!(Vec<SqlValue>);

    unsupported! {
        serialize_bool(bool) -> Vec<SqlValue>;
        serialize_i8(i8) -> Vec<SqlValue>;
        serialize_i16(i16) -> Vec<SqlValue>;
        serialize_i32(i32) -> Vec<SqlValue>;
        serialize_i64(i64) -> Vec<SqlValue>;
        serialize_u8(u8) -> Vec<SqlValue>;
        serialize_u16(u16) -> Vec<SqlValue>;
        serialize_u32(u32) -> Vec<SqlValue>;
        serialize_u64(u64) -> Vec<SqlValue>;
        serialize_char(char) -> Vec<SqlValue>;
        serialize_str(&str) -> Vec<SqlValue>;
        serialize_none() -> Vec<SqlValue>;
        serialize_unit() -> Vec<SqlValue>;
    }
}

/// A struct's fields, each put in its column's place; fields without a column are skipped,
/// as the generic path ignores them.
struct Fields<'a> {
    table: &'a Table,
    values: Vec<Option<SqlValue>>,
}

impl SerializeStruct for Fields<'_> {
    type Ok = Vec<SqlValue>;
    type Error = Unsupported;

    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Unsupported> {
        // A field the table does not declare is not stored, so it is not serialised either
        // (the JSON path serialises it and then drops it).
        let Some(index) = self.table.columns().iter().position(|c| c.name == key) else {
            return Ok(());
        };
        let is_json = self.table.columns()[index].kind == ColumnKind::Json;
        let scalar = match is_json {
            true => None,
            false => value.serialize(Scalar).ok(),
        };
        let stored = match scalar {
            Some(scalar) => scalar,
            // JSON columns and nested values: exactly what the generic path stores.
            None => {
                let json = serde_json::to_value(value).map_err(|_| Unsupported)?;
                sqlite_value(json, is_json)
            }
        };
        self.values[index] = Some(stored);
        Ok(())
    }

    fn end(self) -> Result<Vec<SqlValue>, Unsupported> {
        self.values
            .into_iter()
            .collect::<Option<_>>()
            .ok_or(Unsupported)
    }
}

/// One field's value, when it is a scalar; anything else gives up and goes through
/// `serde_json`. Each conversion is the one [`sqlite_value`] makes of the JSON value.
struct Scalar;

impl ser::Serializer for Scalar {
    type Ok = SqlValue;
    type Error = Unsupported;
    type SerializeSeq = Impossible<SqlValue, Unsupported>;
    type SerializeTuple = Impossible<SqlValue, Unsupported>;
    type SerializeTupleStruct = Impossible<SqlValue, Unsupported>;
    type SerializeTupleVariant = Impossible<SqlValue, Unsupported>;
    type SerializeMap = Impossible<SqlValue, Unsupported>;
    type SerializeStruct = Impossible<SqlValue, Unsupported>;
    type SerializeStructVariant = Impossible<SqlValue, Unsupported>;

    fn serialize_bool(self, value: bool) -> Result<SqlValue, Unsupported> {
        Ok(SqlValue::Integer(i64::from(value)))
    }
    integers! {
        serialize_i8(i8), serialize_i16(i16), serialize_i32(i32), serialize_i64(i64),
        serialize_u8(u8), serialize_u16(u16), serialize_u32(u32),
    }
    fn serialize_u64(self, value: u64) -> Result<SqlValue, Unsupported> {
        // Above i64, serde_json's number becomes a float: let it decide.
        i64::try_from(value)
            .map(SqlValue::Integer)
            .map_err(|_| Unsupported)
    }
    fn serialize_str(self, value: &str) -> Result<SqlValue, Unsupported> {
        Ok(SqlValue::Text(value.to_owned()))
    }
    fn serialize_char(self, value: char) -> Result<SqlValue, Unsupported> {
        Ok(SqlValue::Text(value.to_string()))
    }
    fn serialize_none(self) -> Result<SqlValue, Unsupported> {
        Ok(SqlValue::Null)
    }
    fn serialize_unit(self) -> Result<SqlValue, Unsupported> {
        Ok(SqlValue::Null)
    }
    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<SqlValue, Unsupported> {
        value.serialize(self)
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<SqlValue, Unsupported> {
        value.serialize(self)
    }
    // Floats (serde_json turns NaN and infinities into null), bytes, enums and every
    // compound go through serde_json.
    refused_by_both!(SqlValue);

    unsupported! {
        serialize_struct(&'static str, usize) -> Self::SerializeStruct;
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::Serialize;
    use serde_json::Value;

    use super::{columns, sqlite_value, ColumnKind, SqlValue, Table};
    use crate::db::TableDecl;

    /// What the generic path binds for `object`: its JSON object, column by column.
    fn through_json<O: Serialize>(table: &Table, object: &O) -> Vec<SqlValue> {
        let Value::Object(mut fields) = serde_json::to_value(object).expect("json") else {
            panic!("not an object")
        };
        table
            .columns()
            .iter()
            .map(|c| {
                sqlite_value(
                    fields.remove(&c.name).expect("field"),
                    c.kind == ColumnKind::Json,
                )
            })
            .collect()
    }

    #[derive(Serialize)]
    enum Colour {
        Red,
        Custom(String),
    }

    #[derive(Serialize)]
    struct Nested {
        inner: Vec<u8>,
    }

    #[derive(Serialize)]
    struct Wide {
        text: String,
        small: i8,
        count: u32,
        big: u64,
        huge: u64,
        flag: bool,
        ratio: f64,
        nan: f64,
        maybe: Option<String>,
        nothing: Option<i64>,
        letter: char,
        colour: Colour,
        custom: Colour,
        list: Vec<i64>,
        nested: Nested,
        document: BTreeMap<String, i64>,
        not_a_column: String,
    }

    fn wide_table() -> Table {
        let mut decl = TableDecl::new("wide");
        for (name, kind) in [
            ("text", ColumnKind::Text),
            ("small", ColumnKind::Integer),
            ("count", ColumnKind::Integer),
            ("big", ColumnKind::Integer),
            ("huge", ColumnKind::Real),
            ("flag", ColumnKind::Boolean),
            ("ratio", ColumnKind::Real),
            ("nan", ColumnKind::Real),
            ("maybe", ColumnKind::Text),
            ("nothing", ColumnKind::Integer),
            ("letter", ColumnKind::Text),
            ("colour", ColumnKind::Text),
            ("custom", ColumnKind::Json),
            ("list", ColumnKind::Json),
            ("nested", ColumnKind::Text),
            ("document", ColumnKind::Json),
        ] {
            decl = decl.column(name, kind);
        }
        decl.build().expect("table")
    }

    #[test]
    fn every_field_shape_binds_what_the_json_path_binds() {
        let table = wide_table();
        let object = Wide {
            text: "Ada".to_owned(),
            small: -3,
            count: 7,
            big: 1 << 40,
            huge: u64::MAX,
            flag: true,
            ratio: 2.0,
            nan: f64::NAN,
            maybe: Some("yes".to_owned()),
            nothing: None,
            letter: 'x',
            colour: Colour::Red,
            custom: Colour::Custom("teal".to_owned()),
            list: vec![1, 2],
            nested: Nested { inner: vec![9] },
            document: BTreeMap::from([("b".to_owned(), 2), ("a".to_owned(), 1)]),
            not_a_column: "ignored".to_owned(),
        };
        let direct = columns(&table, &object).expect("a struct");
        assert_eq!(direct, through_json(&table, &object));
        assert_eq!(direct[0], SqlValue::Text("Ada".to_owned()));
        assert_eq!(direct[5], SqlValue::Integer(1));
        assert_eq!(direct[7], SqlValue::Null, "NaN is null, as in JSON");
    }

    #[test]
    fn a_model_that_is_not_a_struct_or_misses_a_column_takes_the_json_path() {
        let table = TableDecl::new("t")
            .column("name", ColumnKind::Text)
            .build()
            .expect("table");
        let map = BTreeMap::from([("name".to_owned(), "Ada".to_owned())]);
        assert_eq!(columns(&table, &map), None);

        #[derive(Serialize)]
        struct Other {
            title: String,
        }
        let other = Other {
            title: "x".to_owned(),
        };
        assert_eq!(columns(&table, &other), None);
    }
}
