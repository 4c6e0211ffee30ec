# The soak test, short: 5 nights of tests/soak/soak.sh (a random fault, then
# a fault-free run, each checked against the store, for debris, against a
# fault-free run's tables and for leaked ids). `make soak` runs 100.
bash "$(dirname "$0")/../soak/soak.sh" "${SOAK_NIGHTS:-5}"
