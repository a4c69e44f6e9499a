//! The console under races, faults and several servers: two servers on one PostgreSQL
//! database, a server killed in the middle of a job, a database connection cut under a job,
//! and a batch that outlasts the claim's lease.

mod kills;
mod servers;
mod several_servers;
