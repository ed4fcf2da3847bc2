export interface CodeInfo {
  readonly title: string;
  readonly help: string;
}
