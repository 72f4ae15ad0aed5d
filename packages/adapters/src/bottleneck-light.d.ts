// The throttling plugin's Bottleneck build (no Redis clustering): the same API as the package's main entry.
declare module 'bottleneck/light.js' {
  import Bottleneck from 'bottleneck';
  export default Bottleneck;
}
