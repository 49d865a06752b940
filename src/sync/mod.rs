//! The sync controller: Argo CD's Application workflow with rudder as the renderer.
//!
//! [`application`] types the Application objects, [`git`] fetches their sources with the git
//! command line, [`reconcile`] renders and applies one app and writes its status, and
//! [`controller`] is the polling loop.

pub mod application;
pub mod controller;
pub mod git;
pub mod health;
pub mod reconcile;
pub mod source;
