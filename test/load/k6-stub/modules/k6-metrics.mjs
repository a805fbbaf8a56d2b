// Every sample is kept: globalThis.__k6.metrics[name] = [[value, tags], ...].
class Metric {
  constructor (name) {
    this.name = name
    globalThis.__k6.metrics[name] = globalThis.__k6.metrics[name] ?? []
  }

  add (value, tags = {}) {
    globalThis.__k6.metrics[this.name].push([Number(value), tags])
  }
}
export class Counter extends Metric {}
export class Rate extends Metric {}
export class Trend extends Metric {}
export class Gauge extends Metric {}
