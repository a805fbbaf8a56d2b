export function check (value, sets) {
  let ok = true
  for (const name of Object.keys(sets)) ok = sets[name](value) && ok
  return ok
}
export function sleep () {}
export default { check, sleep }
