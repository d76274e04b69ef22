package send

// StepByStep makes the connections of the test that calls it wait for
// each SMTP reply, as with a server that does not offer PIPELINING.
func StepByStep(t interface{ Cleanup(func()) }) {
	noPipelining = true
	t.Cleanup(func() { noPipelining = false })
}
