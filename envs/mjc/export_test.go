package mjc

// Test helpers exported to the external test package (compiler-built models).
var (
	CheckRandomStates  = checkRandomStates
	CheckRolloutSmooth = checkRolloutSmooth
	RefDir             = refDir
	RefModels          = refModels
)
