// Node module-resolution hook: prefer the "@realm/source" export condition (TypeScript sources).
export async function resolve(specifier, context, nextResolve) {
  const conditions = context.conditions.includes('@realm/source')
    ? context.conditions
    : ['@realm/source', ...context.conditions];
  return nextResolve(specifier, { ...context, conditions });
}
