// jstat ships no type declarations; these cover the functions src/stats calls.
declare module 'jstat' {
  export const jStat: {
    ibeta(x: number, a: number, b: number): number;
    gammaln(x: number): number;
    lowRegGamma(a: number, x: number): number;
    normal: { inv(p: number, mean: number, sd: number): number };
    studentt: { inv(p: number, dof: number): number };
  };
}
