//! Conversions with the semantics of `spf13/cast` v1.7 and sprig's `strval`, shared by the
//! function groups.
