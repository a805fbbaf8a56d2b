export default {
  vu: { idInTest: 1, iterationInInstance: 0 },
  scenario: { startTime: Date.now() },
  test: {
    abort (reason) {
      globalThis.__k6.aborted = reason
      throw new Error(`test aborted: ${reason}`)
    }
  }
}
