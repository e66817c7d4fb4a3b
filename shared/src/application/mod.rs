//! Use cases, generic over the ports.
