// Plain-JS references for the loss and metric tests, independent of tfjs.

export const logSumExp = (xs: number[]): number => {
  const max = Math.max(...xs);
  return max + Math.log(xs.reduce((sum, x) => sum + Math.exp(x - max), 0));
};

export const logSoftmax = (xs: number[]): number[] => xs.map((x) => x - logSumExp(xs));
