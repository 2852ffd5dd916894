//go:build !race

package wasihost

// raceOn reports a -race build, whose instrumentation allocates.
const raceOn = false
