declare module 'parse-prometheus-text-format' {
  interface Sample {
    value: string;
    labels?: Record<string, string>;
  }
  interface Family {
    name: string;
    help: string;
    type: string;
    metrics: Sample[];
  }
  /** Throws InvalidLineError on a line that is not valid exposition text. */
  export default function parsePrometheusTextFormat(text: string): Family[];
}
