// tap's coverage map: every test file is measured against the service's own code (src, plugins,
// schemas), and only that code is gated at 100%. load/ holds the load-generation tools (k6 scripts,
// the Node harness, report builders): their rules are tested (test/load/*), but they are not service
// code and run mostly as whole CLI programs, so they are not part of the coverage gate.
export default function coverageMap () {
  return ['src/**/*.ts', 'plugins/**/*.ts', 'schemas/**/*.ts']
}
