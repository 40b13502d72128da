package main

import "testing"

// The cockpit's frames wait at most 8 ms for the renderer's tick (the key budget is 16 ms); a
// wall screen, where no one types, wakes a quarter as often and still draws a change within
// 33 ms.
func TestAWallScreenWakesLessThanTheCockpit(t *testing.T) {
	if got := framesPerSecond(false); got < 120 {
		t.Errorf("the cockpit draws at most %d frames a second: a key's frame could wait %d ms for the tick", got, 1000/got)
	}
	if got := framesPerSecond(true); got > 30 || got < 20 {
		t.Errorf("a wall screen draws at most %d frames a second, want 20–30: fewer wake-ups, a change on screen within 50 ms", got)
	}
}
