// Reference forms for the tests, written from standard conjugation tables (RAE, Nueva gramática and
// Ortografía 2010: monosyllables such as "rio", "riais", "guie", "huis" carry no accent). Plain data:
// each tense lists yo, tú, él, nosotros, vosotros, ellos; simple tenses are separated by spaces,
// compound tenses by commas.

export interface SubjunctiveRow {
  readonly infinitive: string;
  readonly present: string;
  readonly imperfectRa: string;
  readonly imperfectSe?: string;
  readonly presentPerfect?: string;
  readonly pluperfectRa?: string;
  readonly pluperfectSe?: string;
}

export interface IndicativeRow {
  readonly infinitive: string;
  readonly present: string;
  readonly preterite: string;
  readonly future: string;
  readonly imperfect?: string;
  readonly conditional?: string;
  readonly presentPerfect?: string;
}

export const SUBJUNCTIVE_TABLE: readonly SubjunctiveRow[] = [
  // Regular verbs
  {
    infinitive: "hablar",
    present: "hable hables hable hablemos habléis hablen",
    imperfectRa: "hablara hablaras hablara habláramos hablarais hablaran",
    imperfectSe: "hablase hablases hablase hablásemos hablaseis hablasen",
    presentPerfect:
      "haya hablado, hayas hablado, haya hablado, hayamos hablado, hayáis hablado, hayan hablado",
    pluperfectRa:
      "hubiera hablado, hubieras hablado, hubiera hablado, hubiéramos hablado, hubierais hablado, hubieran hablado",
    pluperfectSe:
      "hubiese hablado, hubieses hablado, hubiese hablado, hubiésemos hablado, hubieseis hablado, hubiesen hablado",
  },
  {
    infinitive: "trabajar",
    present: "trabaje trabajes trabaje trabajemos trabajéis trabajen",
    imperfectRa: "trabajara trabajaras trabajara trabajáramos trabajarais trabajaran",
  },
  {
    infinitive: "ayudar",
    present: "ayude ayudes ayude ayudemos ayudéis ayuden",
    imperfectRa: "ayudara ayudaras ayudara ayudáramos ayudarais ayudaran",
  },
  {
    infinitive: "estudiar",
    present: "estudie estudies estudie estudiemos estudiéis estudien",
    imperfectRa: "estudiara estudiaras estudiara estudiáramos estudiarais estudiaran",
    imperfectSe: "estudiase estudiases estudiase estudiásemos estudiaseis estudiasen",
  },
  {
    infinitive: "cambiar",
    present: "cambie cambies cambie cambiemos cambiéis cambien",
    imperfectRa: "cambiara cambiaras cambiara cambiáramos cambiarais cambiaran",
  },
  {
    infinitive: "limpiar",
    present: "limpie limpies limpie limpiemos limpiéis limpien",
    imperfectRa: "limpiara limpiaras limpiara limpiáramos limpiarais limpiaran",
  },
  {
    infinitive: "comer",
    present: "coma comas coma comamos comáis coman",
    imperfectRa: "comiera comieras comiera comiéramos comierais comieran",
    imperfectSe: "comiese comieses comiese comiésemos comieseis comiesen",
    presentPerfect: "haya comido, hayas comido, haya comido, hayamos comido, hayáis comido, hayan comido",
    pluperfectRa:
      "hubiera comido, hubieras comido, hubiera comido, hubiéramos comido, hubierais comido, hubieran comido",
  },
  {
    infinitive: "aprender",
    present: "aprenda aprendas aprenda aprendamos aprendáis aprendan",
    imperfectRa: "aprendiera aprendieras aprendiera aprendiéramos aprendierais aprendieran",
  },
  {
    infinitive: "beber",
    present: "beba bebas beba bebamos bebáis beban",
    imperfectRa: "bebiera bebieras bebiera bebiéramos bebierais bebieran",
  },
  {
    infinitive: "vivir",
    present: "viva vivas viva vivamos viváis vivan",
    imperfectRa: "viviera vivieras viviera viviéramos vivierais vivieran",
    imperfectSe: "viviese vivieses viviese viviésemos vivieseis viviesen",
    presentPerfect: "haya vivido, hayas vivido, haya vivido, hayamos vivido, hayáis vivido, hayan vivido",
    pluperfectRa:
      "hubiera vivido, hubieras vivido, hubiera vivido, hubiéramos vivido, hubierais vivido, hubieran vivido",
  },
  {
    infinitive: "recibir",
    present: "reciba recibas reciba recibamos recibáis reciban",
    imperfectRa: "recibiera recibieras recibiera recibiéramos recibierais recibieran",
  },
  // Regular in the subjunctive, irregular participle
  {
    infinitive: "escribir",
    present: "escriba escribas escriba escribamos escribáis escriban",
    imperfectRa: "escribiera escribieras escribiera escribiéramos escribierais escribieran",
    presentPerfect:
      "haya escrito, hayas escrito, haya escrito, hayamos escrito, hayáis escrito, hayan escrito",
    pluperfectRa:
      "hubiera escrito, hubieras escrito, hubiera escrito, hubiéramos escrito, hubierais escrito, hubieran escrito",
  },
  {
    infinitive: "abrir",
    present: "abra abras abra abramos abráis abran",
    imperfectRa: "abriera abrieras abriera abriéramos abrierais abrieran",
    presentPerfect:
      "haya abierto, hayas abierto, haya abierto, hayamos abierto, hayáis abierto, hayan abierto",
  },
  {
    infinitive: "descubrir",
    present: "descubra descubras descubra descubramos descubráis descubran",
    imperfectRa: "descubriera descubrieras descubriera descubriéramos descubrierais descubrieran",
    pluperfectRa:
      "hubiera descubierto, hubieras descubierto, hubiera descubierto, hubiéramos descubierto, hubierais descubierto, hubieran descubierto",
  },
  {
    infinitive: "romper",
    present: "rompa rompas rompa rompamos rompáis rompan",
    imperfectRa: "rompiera rompieras rompiera rompiéramos rompierais rompieran",
    presentPerfect: "haya roto, hayas roto, haya roto, hayamos roto, hayáis roto, hayan roto",
  },
  {
    infinitive: "imprimir",
    present: "imprima imprimas imprima imprimamos imprimáis impriman",
    imperfectRa: "imprimiera imprimieras imprimiera imprimiéramos imprimierais imprimieran",
  },
  // e → ie
  {
    infinitive: "pensar",
    present: "piense pienses piense pensemos penséis piensen",
    imperfectRa: "pensara pensaras pensara pensáramos pensarais pensaran",
    imperfectSe: "pensase pensases pensase pensásemos pensaseis pensasen",
  },
  {
    infinitive: "cerrar",
    present: "cierre cierres cierre cerremos cerréis cierren",
    imperfectRa: "cerrara cerraras cerrara cerráramos cerrarais cerraran",
  },
  {
    infinitive: "empezar",
    present: "empiece empieces empiece empecemos empecéis empiecen",
    imperfectRa: "empezara empezaras empezara empezáramos empezarais empezaran",
    imperfectSe: "empezase empezases empezase empezásemos empezaseis empezasen",
  },
  {
    infinitive: "comenzar",
    present: "comience comiences comience comencemos comencéis comiencen",
    imperfectRa: "comenzara comenzaras comenzara comenzáramos comenzarais comenzaran",
  },
  {
    infinitive: "despertar",
    present: "despierte despiertes despierte despertemos despertéis despierten",
    imperfectRa: "despertara despertaras despertara despertáramos despertarais despertaran",
  },
  {
    infinitive: "negar",
    present: "niegue niegues niegue neguemos neguéis nieguen",
    imperfectRa: "negara negaras negara negáramos negarais negaran",
  },
  {
    infinitive: "querer",
    present: "quiera quieras quiera queramos queráis quieran",
    imperfectRa: "quisiera quisieras quisiera quisiéramos quisierais quisieran",
    imperfectSe: "quisiese quisieses quisiese quisiésemos quisieseis quisiesen",
    presentPerfect:
      "haya querido, hayas querido, haya querido, hayamos querido, hayáis querido, hayan querido",
  },
  {
    infinitive: "perder",
    present: "pierda pierdas pierda perdamos perdáis pierdan",
    imperfectRa: "perdiera perdieras perdiera perdiéramos perdierais perdieran",
  },
  {
    infinitive: "entender",
    present: "entienda entiendas entienda entendamos entendáis entiendan",
    imperfectRa: "entendiera entendieras entendiera entendiéramos entendierais entendieran",
  },
  {
    infinitive: "encender",
    present: "encienda enciendas encienda encendamos encendáis enciendan",
    imperfectRa: "encendiera encendieras encendiera encendiéramos encendierais encendieran",
  },
  {
    infinitive: "sentir",
    present: "sienta sientas sienta sintamos sintáis sientan",
    imperfectRa: "sintiera sintieras sintiera sintiéramos sintierais sintieran",
    imperfectSe: "sintiese sintieses sintiese sintiésemos sintieseis sintiesen",
  },
  {
    infinitive: "preferir",
    present: "prefiera prefieras prefiera prefiramos prefiráis prefieran",
    imperfectRa: "prefiriera prefirieras prefiriera prefiriéramos prefirierais prefirieran",
  },
  {
    infinitive: "mentir",
    present: "mienta mientas mienta mintamos mintáis mientan",
    imperfectRa: "mintiera mintieras mintiera mintiéramos mintierais mintieran",
  },
  {
    infinitive: "divertir",
    present: "divierta diviertas divierta divirtamos divirtáis diviertan",
    imperfectRa: "divirtiera divirtieras divirtiera divirtiéramos divirtierais divirtieran",
  },
  {
    infinitive: "sugerir",
    present: "sugiera sugieras sugiera sugiramos sugiráis sugieran",
    imperfectRa: "sugiriera sugirieras sugiriera sugiriéramos sugirierais sugirieran",
  },
  {
    infinitive: "adquirir",
    present: "adquiera adquieras adquiera adquiramos adquiráis adquieran",
    imperfectRa: "adquiriera adquirieras adquiriera adquiriéramos adquirierais adquirieran",
  },
  // o → ue, u → ue
  {
    infinitive: "poder",
    present: "pueda puedas pueda podamos podáis puedan",
    imperfectRa: "pudiera pudieras pudiera pudiéramos pudierais pudieran",
    imperfectSe: "pudiese pudieses pudiese pudiésemos pudieseis pudiesen",
    presentPerfect: "haya podido, hayas podido, haya podido, hayamos podido, hayáis podido, hayan podido",
  },
  {
    infinitive: "volver",
    present: "vuelva vuelvas vuelva volvamos volváis vuelvan",
    imperfectRa: "volviera volvieras volviera volviéramos volvierais volvieran",
    presentPerfect: "haya vuelto, hayas vuelto, haya vuelto, hayamos vuelto, hayáis vuelto, hayan vuelto",
    pluperfectRa:
      "hubiera vuelto, hubieras vuelto, hubiera vuelto, hubiéramos vuelto, hubierais vuelto, hubieran vuelto",
  },
  {
    infinitive: "devolver",
    present: "devuelva devuelvas devuelva devolvamos devolváis devuelvan",
    imperfectRa: "devolviera devolvieras devolviera devolviéramos devolvierais devolvieran",
    presentPerfect:
      "haya devuelto, hayas devuelto, haya devuelto, hayamos devuelto, hayáis devuelto, hayan devuelto",
  },
  {
    infinitive: "resolver",
    present: "resuelva resuelvas resuelva resolvamos resolváis resuelvan",
    imperfectRa: "resolviera resolvieras resolviera resolviéramos resolvierais resolvieran",
    pluperfectRa:
      "hubiera resuelto, hubieras resuelto, hubiera resuelto, hubiéramos resuelto, hubierais resuelto, hubieran resuelto",
  },
  {
    infinitive: "mover",
    present: "mueva muevas mueva movamos mováis muevan",
    imperfectRa: "moviera movieras moviera moviéramos movierais movieran",
  },
  {
    infinitive: "dormir",
    present: "duerma duermas duerma durmamos durmáis duerman",
    imperfectRa: "durmiera durmieras durmiera durmiéramos durmierais durmieran",
    imperfectSe: "durmiese durmieses durmiese durmiésemos durmieseis durmiesen",
  },
  {
    infinitive: "morir",
    present: "muera mueras muera muramos muráis mueran",
    imperfectRa: "muriera murieras muriera muriéramos murierais murieran",
    imperfectSe: "muriese murieses muriese muriésemos murieseis muriesen",
    presentPerfect: "haya muerto, hayas muerto, haya muerto, hayamos muerto, hayáis muerto, hayan muerto",
    pluperfectRa:
      "hubiera muerto, hubieras muerto, hubiera muerto, hubiéramos muerto, hubierais muerto, hubieran muerto",
  },
  {
    infinitive: "contar",
    present: "cuente cuentes cuente contemos contéis cuenten",
    imperfectRa: "contara contaras contara contáramos contarais contaran",
  },
  {
    infinitive: "encontrar",
    present: "encuentre encuentres encuentre encontremos encontréis encuentren",
    imperfectRa: "encontrara encontraras encontrara encontráramos encontrarais encontraran",
  },
  {
    infinitive: "recordar",
    present: "recuerde recuerdes recuerde recordemos recordéis recuerden",
    imperfectRa: "recordara recordaras recordara recordáramos recordarais recordaran",
  },
  {
    infinitive: "probar",
    present: "pruebe pruebes pruebe probemos probéis prueben",
    imperfectRa: "probara probaras probara probáramos probarais probaran",
  },
  {
    infinitive: "almorzar",
    present: "almuerce almuerces almuerce almorcemos almorcéis almuercen",
    imperfectRa: "almorzara almorzaras almorzara almorzáramos almorzarais almorzaran",
  },
  {
    infinitive: "colgar",
    present: "cuelgue cuelgues cuelgue colguemos colguéis cuelguen",
    imperfectRa: "colgara colgaras colgara colgáramos colgarais colgaran",
  },
  {
    infinitive: "oler",
    present: "huela huelas huela olamos oláis huelan",
    imperfectRa: "oliera olieras oliera oliéramos olierais olieran",
  },
  {
    infinitive: "cocer",
    present: "cueza cuezas cueza cozamos cozáis cuezan",
    imperfectRa: "cociera cocieras cociera cociéramos cocierais cocieran",
  },
  {
    infinitive: "torcer",
    present: "tuerza tuerzas tuerza torzamos torzáis tuerzan",
    imperfectRa: "torciera torcieras torciera torciéramos torcierais torcieran",
  },
  {
    infinitive: "jugar",
    present: "juegue juegues juegue juguemos juguéis jueguen",
    imperfectRa: "jugara jugaras jugara jugáramos jugarais jugaran",
    imperfectSe: "jugase jugases jugase jugásemos jugaseis jugasen",
  },
  // e → i
  {
    infinitive: "pedir",
    present: "pida pidas pida pidamos pidáis pidan",
    imperfectRa: "pidiera pidieras pidiera pidiéramos pidierais pidieran",
    imperfectSe: "pidiese pidieses pidiese pidiésemos pidieseis pidiesen",
    presentPerfect: "haya pedido, hayas pedido, haya pedido, hayamos pedido, hayáis pedido, hayan pedido",
  },
  {
    infinitive: "servir",
    present: "sirva sirvas sirva sirvamos sirváis sirvan",
    imperfectRa: "sirviera sirvieras sirviera sirviéramos sirvierais sirvieran",
  },
  {
    infinitive: "repetir",
    present: "repita repitas repita repitamos repitáis repitan",
    imperfectRa: "repitiera repitieras repitiera repitiéramos repitierais repitieran",
  },
  {
    infinitive: "seguir",
    present: "siga sigas siga sigamos sigáis sigan",
    imperfectRa: "siguiera siguieras siguiera siguiéramos siguierais siguieran",
    imperfectSe: "siguiese siguieses siguiese siguiésemos siguieseis siguiesen",
  },
  {
    infinitive: "conseguir",
    present: "consiga consigas consiga consigamos consigáis consigan",
    imperfectRa: "consiguiera consiguieras consiguiera consiguiéramos consiguierais consiguieran",
  },
  {
    infinitive: "vestir",
    present: "vista vistas vista vistamos vistáis vistan",
    imperfectRa: "vistiera vistieras vistiera vistiéramos vistierais vistieran",
  },
  {
    infinitive: "medir",
    present: "mida midas mida midamos midáis midan",
    imperfectRa: "midiera midieras midiera midiéramos midierais midieran",
  },
  {
    infinitive: "elegir",
    present: "elija elijas elija elijamos elijáis elijan",
    imperfectRa: "eligiera eligieras eligiera eligiéramos eligierais eligieran",
  },
  {
    infinitive: "corregir",
    present: "corrija corrijas corrija corrijamos corrijáis corrijan",
    imperfectRa: "corrigiera corrigieras corrigiera corrigiéramos corrigierais corrigieran",
  },
  {
    infinitive: "competir",
    present: "compita compitas compita compitamos compitáis compitan",
    imperfectRa: "compitiera compitieras compitiera compitiéramos compitierais compitieran",
  },
  {
    infinitive: "despedir",
    present: "despida despidas despida despidamos despidáis despidan",
    imperfectRa: "despidiera despidieras despidiera despidiéramos despidierais despidieran",
  },
  {
    infinitive: "reír",
    present: "ría rías ría riamos riais rían",
    imperfectRa: "riera rieras riera riéramos rierais rieran",
    imperfectSe: "riese rieses riese riésemos rieseis riesen",
    presentPerfect: "haya reído, hayas reído, haya reído, hayamos reído, hayáis reído, hayan reído",
  },
  {
    infinitive: "sonreír",
    present: "sonría sonrías sonría sonriamos sonriáis sonrían",
    imperfectRa: "sonriera sonrieras sonriera sonriéramos sonrierais sonrieran",
  },
  {
    infinitive: "freír",
    present: "fría frías fría friamos friais frían",
    imperfectRa: "friera frieras friera friéramos frierais frieran",
  },
  {
    infinitive: "teñir",
    present: "tiña tiñas tiña tiñamos tiñáis tiñan",
    imperfectRa: "tiñera tiñeras tiñera tiñéramos tiñerais tiñeran",
  },
  // Spelling changes
  {
    infinitive: "buscar",
    present: "busque busques busque busquemos busquéis busquen",
    imperfectRa: "buscara buscaras buscara buscáramos buscarais buscaran",
    imperfectSe: "buscase buscases buscase buscásemos buscaseis buscasen",
  },
  {
    infinitive: "tocar",
    present: "toque toques toque toquemos toquéis toquen",
    imperfectRa: "tocara tocaras tocara tocáramos tocarais tocaran",
  },
  {
    infinitive: "sacar",
    present: "saque saques saque saquemos saquéis saquen",
    imperfectRa: "sacara sacaras sacara sacáramos sacarais sacaran",
  },
  {
    infinitive: "explicar",
    present: "explique expliques explique expliquemos expliquéis expliquen",
    imperfectRa: "explicara explicaras explicara explicáramos explicarais explicaran",
  },
  {
    infinitive: "llegar",
    present: "llegue llegues llegue lleguemos lleguéis lleguen",
    imperfectRa: "llegara llegaras llegara llegáramos llegarais llegaran",
    imperfectSe: "llegase llegases llegase llegásemos llegaseis llegasen",
  },
  {
    infinitive: "pagar",
    present: "pague pagues pague paguemos paguéis paguen",
    imperfectRa: "pagara pagaras pagara pagáramos pagarais pagaran",
  },
  {
    infinitive: "organizar",
    present: "organice organices organice organicemos organicéis organicen",
    imperfectRa: "organizara organizaras organizara organizáramos organizarais organizaran",
  },
  {
    infinitive: "cruzar",
    present: "cruce cruces cruce crucemos crucéis crucen",
    imperfectRa: "cruzara cruzaras cruzara cruzáramos cruzarais cruzaran",
  },
  {
    infinitive: "escoger",
    present: "escoja escojas escoja escojamos escojáis escojan",
    imperfectRa: "escogiera escogieras escogiera escogiéramos escogierais escogieran",
  },
  {
    infinitive: "recoger",
    present: "recoja recojas recoja recojamos recojáis recojan",
    imperfectRa: "recogiera recogieras recogiera recogiéramos recogierais recogieran",
  },
  {
    infinitive: "proteger",
    present: "proteja protejas proteja protejamos protejáis protejan",
    imperfectRa: "protegiera protegieras protegiera protegiéramos protegierais protegieran",
  },
  {
    infinitive: "dirigir",
    present: "dirija dirijas dirija dirijamos dirijáis dirijan",
    imperfectRa: "dirigiera dirigieras dirigiera dirigiéramos dirigierais dirigieran",
  },
  {
    infinitive: "exigir",
    present: "exija exijas exija exijamos exijáis exijan",
    imperfectRa: "exigiera exigieras exigiera exigiéramos exigierais exigieran",
  },
  {
    infinitive: "distinguir",
    present: "distinga distingas distinga distingamos distingáis distingan",
    imperfectRa: "distinguiera distinguieras distinguiera distinguiéramos distinguierais distinguieran",
  },
  {
    infinitive: "extinguir",
    present: "extinga extingas extinga extingamos extingáis extingan",
    imperfectRa: "extinguiera extinguieras extinguiera extinguiéramos extinguierais extinguieran",
  },
  {
    infinitive: "conocer",
    present: "conozca conozcas conozca conozcamos conozcáis conozcan",
    imperfectRa: "conociera conocieras conociera conociéramos conocierais conocieran",
    imperfectSe: "conociese conocieses conociese conociésemos conocieseis conociesen",
  },
  {
    infinitive: "parecer",
    present: "parezca parezcas parezca parezcamos parezcáis parezcan",
    imperfectRa: "pareciera parecieras pareciera pareciéramos parecierais parecieran",
  },
  {
    infinitive: "ofrecer",
    present: "ofrezca ofrezcas ofrezca ofrezcamos ofrezcáis ofrezcan",
    imperfectRa: "ofreciera ofrecieras ofreciera ofreciéramos ofrecierais ofrecieran",
  },
  {
    infinitive: "agradecer",
    present: "agradezca agradezcas agradezca agradezcamos agradezcáis agradezcan",
    imperfectRa: "agradeciera agradecieras agradeciera agradeciéramos agradecierais agradecieran",
  },
  {
    infinitive: "conducir",
    present: "conduzca conduzcas conduzca conduzcamos conduzcáis conduzcan",
    imperfectRa: "condujera condujeras condujera condujéramos condujerais condujeran",
    imperfectSe: "condujese condujeses condujese condujésemos condujeseis condujesen",
  },
  {
    infinitive: "traducir",
    present: "traduzca traduzcas traduzca traduzcamos traduzcáis traduzcan",
    imperfectRa: "tradujera tradujeras tradujera tradujéramos tradujerais tradujeran",
  },
  {
    infinitive: "producir",
    present: "produzca produzcas produzca produzcamos produzcáis produzcan",
    imperfectRa: "produjera produjeras produjera produjéramos produjerais produjeran",
  },
  {
    infinitive: "reducir",
    present: "reduzca reduzcas reduzca reduzcamos reduzcáis reduzcan",
    imperfectRa: "redujera redujeras redujera redujéramos redujerais redujeran",
  },
  {
    infinitive: "introducir",
    present: "introduzca introduzcas introduzca introduzcamos introduzcáis introduzcan",
    imperfectRa: "introdujera introdujeras introdujera introdujéramos introdujerais introdujeran",
  },
  {
    infinitive: "vencer",
    present: "venza venzas venza venzamos venzáis venzan",
    imperfectRa: "venciera vencieras venciera venciéramos vencierais vencieran",
  },
  {
    infinitive: "convencer",
    present: "convenza convenzas convenza convenzamos convenzáis convenzan",
    imperfectRa: "convenciera convencieras convenciera convenciéramos convencierais convencieran",
  },
  {
    infinitive: "ejercer",
    present: "ejerza ejerzas ejerza ejerzamos ejerzáis ejerzan",
    imperfectRa: "ejerciera ejercieras ejerciera ejerciéramos ejercierais ejercieran",
  },
  {
    infinitive: "construir",
    present: "construya construyas construya construyamos construyáis construyan",
    imperfectRa: "construyera construyeras construyera construyéramos construyerais construyeran",
    imperfectSe: "construyese construyeses construyese construyésemos construyeseis construyesen",
    presentPerfect:
      "haya construido, hayas construido, haya construido, hayamos construido, hayáis construido, hayan construido",
  },
  {
    infinitive: "huir",
    present: "huya huyas huya huyamos huyáis huyan",
    imperfectRa: "huyera huyeras huyera huyéramos huyerais huyeran",
  },
  {
    infinitive: "incluir",
    present: "incluya incluyas incluya incluyamos incluyáis incluyan",
    imperfectRa: "incluyera incluyeras incluyera incluyéramos incluyerais incluyeran",
  },
  {
    infinitive: "destruir",
    present: "destruya destruyas destruya destruyamos destruyáis destruyan",
    imperfectRa: "destruyera destruyeras destruyera destruyéramos destruyerais destruyeran",
  },
  {
    infinitive: "contribuir",
    present: "contribuya contribuyas contribuya contribuyamos contribuyáis contribuyan",
    imperfectRa: "contribuyera contribuyeras contribuyera contribuyéramos contribuyerais contribuyeran",
  },
  {
    infinitive: "averiguar",
    present: "averigüe averigües averigüe averigüemos averigüéis averigüen",
    imperfectRa: "averiguara averiguaras averiguara averiguáramos averiguarais averiguaran",
  },
  {
    infinitive: "enviar",
    present: "envíe envíes envíe enviemos enviéis envíen",
    imperfectRa: "enviara enviaras enviara enviáramos enviarais enviaran",
    imperfectSe: "enviase enviases enviase enviásemos enviaseis enviasen",
  },
  {
    infinitive: "guiar",
    present: "guíe guíes guíe guiemos guieis guíen",
    imperfectRa: "guiara guiaras guiara guiáramos guiarais guiaran",
  },
  {
    infinitive: "confiar",
    present: "confíe confíes confíe confiemos confiéis confíen",
    imperfectRa: "confiara confiaras confiara confiáramos confiarais confiaran",
  },
  {
    infinitive: "actuar",
    present: "actúe actúes actúe actuemos actuéis actúen",
    imperfectRa: "actuara actuaras actuara actuáramos actuarais actuaran",
  },
  {
    infinitive: "graduar",
    present: "gradúe gradúes gradúe graduemos graduéis gradúen",
    imperfectRa: "graduara graduaras graduara graduáramos graduarais graduaran",
  },
  {
    infinitive: "continuar",
    present: "continúe continúes continúe continuemos continuéis continúen",
    imperfectRa: "continuara continuaras continuara continuáramos continuarais continuaran",
  },
  {
    infinitive: "reunir",
    present: "reúna reúnas reúna reunamos reunáis reúnan",
    imperfectRa: "reuniera reunieras reuniera reuniéramos reunierais reunieran",
  },
  {
    infinitive: "prohibir",
    present: "prohíba prohíbas prohíba prohibamos prohibáis prohíban",
    imperfectRa: "prohibiera prohibieras prohibiera prohibiéramos prohibierais prohibieran",
  },
  {
    infinitive: "oír",
    present: "oiga oigas oiga oigamos oigáis oigan",
    imperfectRa: "oyera oyeras oyera oyéramos oyerais oyeran",
    imperfectSe: "oyese oyeses oyese oyésemos oyeseis oyesen",
    presentPerfect: "haya oído, hayas oído, haya oído, hayamos oído, hayáis oído, hayan oído",
  },
  {
    infinitive: "leer",
    present: "lea leas lea leamos leáis lean",
    imperfectRa: "leyera leyeras leyera leyéramos leyerais leyeran",
    imperfectSe: "leyese leyeses leyese leyésemos leyeseis leyesen",
    presentPerfect: "haya leído, hayas leído, haya leído, hayamos leído, hayáis leído, hayan leído",
    pluperfectRa:
      "hubiera leído, hubieras leído, hubiera leído, hubiéramos leído, hubierais leído, hubieran leído",
  },
  {
    infinitive: "creer",
    present: "crea creas crea creamos creáis crean",
    imperfectRa: "creyera creyeras creyera creyéramos creyerais creyeran",
    presentPerfect: "haya creído, hayas creído, haya creído, hayamos creído, hayáis creído, hayan creído",
  },
  {
    infinitive: "caer",
    present: "caiga caigas caiga caigamos caigáis caigan",
    imperfectRa: "cayera cayeras cayera cayéramos cayerais cayeran",
    imperfectSe: "cayese cayeses cayese cayésemos cayeseis cayesen",
    presentPerfect: "haya caído, hayas caído, haya caído, hayamos caído, hayáis caído, hayan caído",
  },
  {
    infinitive: "traer",
    present: "traiga traigas traiga traigamos traigáis traigan",
    imperfectRa: "trajera trajeras trajera trajéramos trajerais trajeran",
    imperfectSe: "trajese trajeses trajese trajésemos trajeseis trajesen",
    presentPerfect: "haya traído, hayas traído, haya traído, hayamos traído, hayáis traído, hayan traído",
  },
  {
    infinitive: "atraer",
    present: "atraiga atraigas atraiga atraigamos atraigáis atraigan",
    imperfectRa: "atrajera atrajeras atrajera atrajéramos atrajerais atrajeran",
  },
  {
    infinitive: "distraer",
    present: "distraiga distraigas distraiga distraigamos distraigáis distraigan",
    imperfectRa: "distrajera distrajeras distrajera distrajéramos distrajerais distrajeran",
  },
  // Irregular yo form, and compounds
  {
    infinitive: "tener",
    present: "tenga tengas tenga tengamos tengáis tengan",
    imperfectRa: "tuviera tuvieras tuviera tuviéramos tuvierais tuvieran",
    imperfectSe: "tuviese tuvieses tuviese tuviésemos tuvieseis tuviesen",
    presentPerfect: "haya tenido, hayas tenido, haya tenido, hayamos tenido, hayáis tenido, hayan tenido",
    pluperfectRa:
      "hubiera tenido, hubieras tenido, hubiera tenido, hubiéramos tenido, hubierais tenido, hubieran tenido",
    pluperfectSe:
      "hubiese tenido, hubieses tenido, hubiese tenido, hubiésemos tenido, hubieseis tenido, hubiesen tenido",
  },
  {
    infinitive: "venir",
    present: "venga vengas venga vengamos vengáis vengan",
    imperfectRa: "viniera vinieras viniera viniéramos vinierais vinieran",
    imperfectSe: "viniese vinieses viniese viniésemos vinieseis viniesen",
  },
  {
    infinitive: "poner",
    present: "ponga pongas ponga pongamos pongáis pongan",
    imperfectRa: "pusiera pusieras pusiera pusiéramos pusierais pusieran",
    imperfectSe: "pusiese pusieses pusiese pusiésemos pusieseis pusiesen",
    presentPerfect: "haya puesto, hayas puesto, haya puesto, hayamos puesto, hayáis puesto, hayan puesto",
    pluperfectRa:
      "hubiera puesto, hubieras puesto, hubiera puesto, hubiéramos puesto, hubierais puesto, hubieran puesto",
  },
  {
    infinitive: "salir",
    present: "salga salgas salga salgamos salgáis salgan",
    imperfectRa: "saliera salieras saliera saliéramos salierais salieran",
  },
  {
    infinitive: "valer",
    present: "valga valgas valga valgamos valgáis valgan",
    imperfectRa: "valiera valieras valiera valiéramos valierais valieran",
  },
  {
    infinitive: "hacer",
    present: "haga hagas haga hagamos hagáis hagan",
    imperfectRa: "hiciera hicieras hiciera hiciéramos hicierais hicieran",
    imperfectSe: "hiciese hicieses hiciese hiciésemos hicieseis hiciesen",
    presentPerfect: "haya hecho, hayas hecho, haya hecho, hayamos hecho, hayáis hecho, hayan hecho",
    pluperfectRa:
      "hubiera hecho, hubieras hecho, hubiera hecho, hubiéramos hecho, hubierais hecho, hubieran hecho",
    pluperfectSe:
      "hubiese hecho, hubieses hecho, hubiese hecho, hubiésemos hecho, hubieseis hecho, hubiesen hecho",
  },
  {
    infinitive: "decir",
    present: "diga digas diga digamos digáis digan",
    imperfectRa: "dijera dijeras dijera dijéramos dijerais dijeran",
    imperfectSe: "dijese dijeses dijese dijésemos dijeseis dijesen",
    presentPerfect: "haya dicho, hayas dicho, haya dicho, hayamos dicho, hayáis dicho, hayan dicho",
    pluperfectRa:
      "hubiera dicho, hubieras dicho, hubiera dicho, hubiéramos dicho, hubierais dicho, hubieran dicho",
  },
  {
    infinitive: "obtener",
    present: "obtenga obtengas obtenga obtengamos obtengáis obtengan",
    imperfectRa: "obtuviera obtuvieras obtuviera obtuviéramos obtuvierais obtuvieran",
  },
  {
    infinitive: "mantener",
    present: "mantenga mantengas mantenga mantengamos mantengáis mantengan",
    imperfectRa: "mantuviera mantuvieras mantuviera mantuviéramos mantuvierais mantuvieran",
  },
  {
    infinitive: "contener",
    present: "contenga contengas contenga contengamos contengáis contengan",
    imperfectRa: "contuviera contuvieras contuviera contuviéramos contuvierais contuvieran",
  },
  {
    infinitive: "detener",
    present: "detenga detengas detenga detengamos detengáis detengan",
    imperfectRa: "detuviera detuvieras detuviera detuviéramos detuvierais detuvieran",
  },
  {
    infinitive: "proponer",
    present: "proponga propongas proponga propongamos propongáis propongan",
    imperfectRa: "propusiera propusieras propusiera propusiéramos propusierais propusieran",
    presentPerfect:
      "haya propuesto, hayas propuesto, haya propuesto, hayamos propuesto, hayáis propuesto, hayan propuesto",
  },
  {
    infinitive: "suponer",
    present: "suponga supongas suponga supongamos supongáis supongan",
    imperfectRa: "supusiera supusieras supusiera supusiéramos supusierais supusieran",
  },
  {
    infinitive: "componer",
    present: "componga compongas componga compongamos compongáis compongan",
    imperfectRa: "compusiera compusieras compusiera compusiéramos compusierais compusieran",
  },
  {
    infinitive: "convenir",
    present: "convenga convengas convenga convengamos convengáis convengan",
    imperfectRa: "conviniera convinieras conviniera conviniéramos convinierais convinieran",
  },
  {
    infinitive: "prevenir",
    present: "prevenga prevengas prevenga prevengamos prevengáis prevengan",
    imperfectRa: "previniera previnieras previniera previniéramos previnierais previnieran",
  },
  {
    infinitive: "deshacer",
    present: "deshaga deshagas deshaga deshagamos deshagáis deshagan",
    imperfectRa: "deshiciera deshicieras deshiciera deshiciéramos deshicierais deshicieran",
    presentPerfect:
      "haya deshecho, hayas deshecho, haya deshecho, hayamos deshecho, hayáis deshecho, hayan deshecho",
  },
  {
    infinitive: "satisfacer",
    present: "satisfaga satisfagas satisfaga satisfagamos satisfagáis satisfagan",
    imperfectRa: "satisficiera satisficieras satisficiera satisficiéramos satisficierais satisficieran",
    imperfectSe: "satisficiese satisficieses satisficiese satisficiésemos satisficieseis satisficiesen",
    presentPerfect:
      "haya satisfecho, hayas satisfecho, haya satisfecho, hayamos satisfecho, hayáis satisfecho, hayan satisfecho",
  },
  {
    infinitive: "predecir",
    present: "prediga predigas prediga predigamos predigáis predigan",
    imperfectRa: "predijera predijeras predijera predijéramos predijerais predijeran",
    presentPerfect:
      "haya predicho, hayas predicho, haya predicho, hayamos predicho, hayáis predicho, hayan predicho",
  },
  {
    infinitive: "contradecir",
    present: "contradiga contradigas contradiga contradigamos contradigáis contradigan",
    imperfectRa: "contradijera contradijeras contradijera contradijéramos contradijerais contradijeran",
  },
  // Fully irregular
  {
    infinitive: "ser",
    present: "sea seas sea seamos seáis sean",
    imperfectRa: "fuera fueras fuera fuéramos fuerais fueran",
    imperfectSe: "fuese fueses fuese fuésemos fueseis fuesen",
    presentPerfect: "haya sido, hayas sido, haya sido, hayamos sido, hayáis sido, hayan sido",
    pluperfectRa: "hubiera sido, hubieras sido, hubiera sido, hubiéramos sido, hubierais sido, hubieran sido",
    pluperfectSe: "hubiese sido, hubieses sido, hubiese sido, hubiésemos sido, hubieseis sido, hubiesen sido",
  },
  {
    infinitive: "estar",
    present: "esté estés esté estemos estéis estén",
    imperfectRa: "estuviera estuvieras estuviera estuviéramos estuvierais estuvieran",
    imperfectSe: "estuviese estuvieses estuviese estuviésemos estuvieseis estuviesen",
    presentPerfect: "haya estado, hayas estado, haya estado, hayamos estado, hayáis estado, hayan estado",
    pluperfectRa:
      "hubiera estado, hubieras estado, hubiera estado, hubiéramos estado, hubierais estado, hubieran estado",
  },
  {
    infinitive: "ir",
    present: "vaya vayas vaya vayamos vayáis vayan",
    imperfectRa: "fuera fueras fuera fuéramos fuerais fueran",
    imperfectSe: "fuese fueses fuese fuésemos fueseis fuesen",
    presentPerfect: "haya ido, hayas ido, haya ido, hayamos ido, hayáis ido, hayan ido",
    pluperfectRa: "hubiera ido, hubieras ido, hubiera ido, hubiéramos ido, hubierais ido, hubieran ido",
  },
  {
    infinitive: "haber",
    present: "haya hayas haya hayamos hayáis hayan",
    imperfectRa: "hubiera hubieras hubiera hubiéramos hubierais hubieran",
    imperfectSe: "hubiese hubieses hubiese hubiésemos hubieseis hubiesen",
    presentPerfect: "haya habido, hayas habido, haya habido, hayamos habido, hayáis habido, hayan habido",
  },
  {
    infinitive: "saber",
    present: "sepa sepas sepa sepamos sepáis sepan",
    imperfectRa: "supiera supieras supiera supiéramos supierais supieran",
    imperfectSe: "supiese supieses supiese supiésemos supieseis supiesen",
    presentPerfect: "haya sabido, hayas sabido, haya sabido, hayamos sabido, hayáis sabido, hayan sabido",
  },
  {
    infinitive: "dar",
    present: "dé des dé demos deis den",
    imperfectRa: "diera dieras diera diéramos dierais dieran",
    imperfectSe: "diese dieses diese diésemos dieseis diesen",
    presentPerfect: "haya dado, hayas dado, haya dado, hayamos dado, hayáis dado, hayan dado",
    pluperfectSe: "hubiese dado, hubieses dado, hubiese dado, hubiésemos dado, hubieseis dado, hubiesen dado",
  },
  {
    infinitive: "ver",
    present: "vea veas vea veamos veáis vean",
    imperfectRa: "viera vieras viera viéramos vierais vieran",
    imperfectSe: "viese vieses viese viésemos vieseis viesen",
    presentPerfect: "haya visto, hayas visto, haya visto, hayamos visto, hayáis visto, hayan visto",
    pluperfectRa:
      "hubiera visto, hubieras visto, hubiera visto, hubiéramos visto, hubierais visto, hubieran visto",
  },
  {
    infinitive: "prever",
    present: "prevea preveas prevea preveamos preveáis prevean",
    imperfectRa: "previera previeras previera previéramos previerais previeran",
    presentPerfect:
      "haya previsto, hayas previsto, haya previsto, hayamos previsto, hayáis previsto, hayan previsto",
  },
  {
    infinitive: "caber",
    present: "quepa quepas quepa quepamos quepáis quepan",
    imperfectRa: "cupiera cupieras cupiera cupiéramos cupierais cupieran",
    imperfectSe: "cupiese cupieses cupiese cupiésemos cupieseis cupiesen",
  },
  {
    infinitive: "andar",
    present: "ande andes ande andemos andéis anden",
    imperfectRa: "anduviera anduvieras anduviera anduviéramos anduvierais anduvieran",
    imperfectSe: "anduviese anduvieses anduviese anduviésemos anduvieseis anduviesen",
  },
  // One verb of every RAE model not covered above (models.ts), so that every model has reference
  // forms (models.test.ts checks it). Where RAE accepts two forms, the engine's choice is written and
  // the other is noted.
  // apostar¹, to bet: c. contar (apostar², to post troops, is regular)
  {
    infinitive: "apostar",
    present: "apueste apuestes apueste apostemos apostéis apuesten",
    imperfectRa: "apostara apostaras apostara apostáramos apostarais apostaran",
  },
  {
    infinitive: "enraizar",
    present: "enraíce enraíces enraíce enraicemos enraicéis enraícen",
    imperfectRa: "enraizara enraizaras enraizara enraizáramos enraizarais enraizaran",
  },
  {
    infinitive: "aunar",
    present: "aúne aúnes aúne aunemos aunéis aúnen",
    imperfectRa: "aunara aunaras aunara aunáramos aunarais aunaran",
  },
  {
    infinitive: "rehusar",
    present: "rehúse rehúses rehúse rehusemos rehuséis rehúsen",
    imperfectRa: "rehusara rehusaras rehusara rehusáramos rehusarais rehusaran",
  },
  {
    infinitive: "lucir",
    present: "luzca luzcas luzca luzcamos luzcáis luzcan",
    imperfectRa: "luciera lucieras luciera luciéramos lucierais lucieran",
  },
  {
    infinitive: "bendecir",
    present: "bendiga bendigas bendiga bendigamos bendigáis bendigan",
    imperfectRa: "bendijera bendijeras bendijera bendijéramos bendijerais bendijeran",
  },
  {
    infinitive: "maldecir",
    present: "maldiga maldigas maldiga maldigamos maldigáis maldigan",
    imperfectRa: "maldijera maldijeras maldijera maldijéramos maldijerais maldijeran",
  },
  {
    infinitive: "desdecir",
    present: "desdiga desdigas desdiga desdigamos desdigáis desdigan",
    imperfectRa: "desdijera desdijeras desdijera desdijéramos desdijerais desdijeran",
  },
  // RAE also gives raya, rayas... (the engine writes raiga)
  {
    infinitive: "raer",
    present: "raiga raigas raiga raigamos raigáis raigan",
    imperfectRa: "rayera rayeras rayera rayéramos rayerais rayeran",
  },
  {
    infinitive: "asir",
    present: "asga asgas asga asgamos asgáis asgan",
    imperfectRa: "asiera asieras asiera asiéramos asierais asieran",
  },
  // RAE also gives yerga, yergas, yerga, yergan (the engine writes irga)
  {
    infinitive: "erguir",
    present: "irga irgas irga irgamos irgáis irgan",
    imperfectRa: "irguiera irguieras irguiera irguiéramos irguierais irguieran",
  },
  {
    infinitive: "pudrir",
    present: "pudra pudras pudra pudramos pudráis pudran",
    imperfectRa: "pudriera pudrieras pudriera pudriéramos pudrierais pudrieran",
  },
  // RAE also gives yazga... and yaga... (the engine writes yazca)
  {
    infinitive: "yacer",
    present: "yazca yazcas yazca yazcamos yazcáis yazcan",
    imperfectRa: "yaciera yacieras yaciera yaciéramos yacierais yacieran",
  },
  // archaic: plegue or plega for plazca, pluguiera for placiera
  {
    infinitive: "placer",
    present: "plazca plazcas plazca plazcamos plazcáis plazcan",
    imperfectRa: "placiera placieras placiera placiéramos placierais placieran",
  },
];

export const INDICATIVE_TABLE: readonly IndicativeRow[] = [
  {
    infinitive: "hablar",
    present: "hablo hablas habla hablamos habláis hablan",
    preterite: "hablé hablaste habló hablamos hablasteis hablaron",
    future: "hablaré hablarás hablará hablaremos hablaréis hablarán",
    imperfect: "hablaba hablabas hablaba hablábamos hablabais hablaban",
    conditional: "hablaría hablarías hablaría hablaríamos hablaríais hablarían",
    presentPerfect: "he hablado, has hablado, ha hablado, hemos hablado, habéis hablado, han hablado",
  },
  {
    infinitive: "comer",
    present: "como comes come comemos coméis comen",
    preterite: "comí comiste comió comimos comisteis comieron",
    future: "comeré comerás comerá comeremos comeréis comerán",
    imperfect: "comía comías comía comíamos comíais comían",
    conditional: "comería comerías comería comeríamos comeríais comerían",
  },
  {
    infinitive: "vivir",
    present: "vivo vives vive vivimos vivís viven",
    preterite: "viví viviste vivió vivimos vivisteis vivieron",
    future: "viviré vivirás vivirá viviremos viviréis vivirán",
    imperfect: "vivía vivías vivía vivíamos vivíais vivían",
  },
  {
    infinitive: "ser",
    present: "soy eres es somos sois son",
    preterite: "fui fuiste fue fuimos fuisteis fueron",
    future: "seré serás será seremos seréis serán",
    imperfect: "era eras era éramos erais eran",
    conditional: "sería serías sería seríamos seríais serían",
    presentPerfect: "he sido, has sido, ha sido, hemos sido, habéis sido, han sido",
  },
  {
    infinitive: "estar",
    present: "estoy estás está estamos estáis están",
    preterite: "estuve estuviste estuvo estuvimos estuvisteis estuvieron",
    future: "estaré estarás estará estaremos estaréis estarán",
    imperfect: "estaba estabas estaba estábamos estabais estaban",
  },
  {
    infinitive: "ir",
    present: "voy vas va vamos vais van",
    preterite: "fui fuiste fue fuimos fuisteis fueron",
    future: "iré irás irá iremos iréis irán",
    imperfect: "iba ibas iba íbamos ibais iban",
    conditional: "iría irías iría iríamos iríais irían",
    presentPerfect: "he ido, has ido, ha ido, hemos ido, habéis ido, han ido",
  },
  {
    infinitive: "haber",
    present: "he has ha hemos habéis han",
    preterite: "hube hubiste hubo hubimos hubisteis hubieron",
    future: "habré habrás habrá habremos habréis habrán",
    conditional: "habría habrías habría habríamos habríais habrían",
  },
  {
    infinitive: "saber",
    present: "sé sabes sabe sabemos sabéis saben",
    preterite: "supe supiste supo supimos supisteis supieron",
    future: "sabré sabrás sabrá sabremos sabréis sabrán",
  },
  {
    infinitive: "dar",
    present: "doy das da damos dais dan",
    preterite: "di diste dio dimos disteis dieron",
    future: "daré darás dará daremos daréis darán",
  },
  {
    infinitive: "ver",
    present: "veo ves ve vemos veis ven",
    preterite: "vi viste vio vimos visteis vieron",
    future: "veré verás verá veremos veréis verán",
    imperfect: "veía veías veía veíamos veíais veían",
    presentPerfect: "he visto, has visto, ha visto, hemos visto, habéis visto, han visto",
  },
  {
    infinitive: "prever",
    present: "preveo prevés prevé prevemos prevéis prevén",
    preterite: "preví previste previó previmos previsteis previeron",
    future: "preveré preverás preverá preveremos preveréis preverán",
    imperfect: "preveía preveías preveía preveíamos preveíais preveían",
  },
  {
    infinitive: "caber",
    present: "quepo cabes cabe cabemos cabéis caben",
    preterite: "cupe cupiste cupo cupimos cupisteis cupieron",
    future: "cabré cabrás cabrá cabremos cabréis cabrán",
  },
  {
    infinitive: "tener",
    present: "tengo tienes tiene tenemos tenéis tienen",
    preterite: "tuve tuviste tuvo tuvimos tuvisteis tuvieron",
    future: "tendré tendrás tendrá tendremos tendréis tendrán",
    conditional: "tendría tendrías tendría tendríamos tendríais tendrían",
  },
  {
    infinitive: "obtener",
    present: "obtengo obtienes obtiene obtenemos obtenéis obtienen",
    preterite: "obtuve obtuviste obtuvo obtuvimos obtuvisteis obtuvieron",
    future: "obtendré obtendrás obtendrá obtendremos obtendréis obtendrán",
  },
  {
    infinitive: "venir",
    present: "vengo vienes viene venimos venís vienen",
    preterite: "vine viniste vino vinimos vinisteis vinieron",
    future: "vendré vendrás vendrá vendremos vendréis vendrán",
  },
  {
    infinitive: "poner",
    present: "pongo pones pone ponemos ponéis ponen",
    preterite: "puse pusiste puso pusimos pusisteis pusieron",
    future: "pondré pondrás pondrá pondremos pondréis pondrán",
    presentPerfect: "he puesto, has puesto, ha puesto, hemos puesto, habéis puesto, han puesto",
  },
  {
    infinitive: "salir",
    present: "salgo sales sale salimos salís salen",
    preterite: "salí saliste salió salimos salisteis salieron",
    future: "saldré saldrás saldrá saldremos saldréis saldrán",
  },
  {
    infinitive: "valer",
    present: "valgo vales vale valemos valéis valen",
    preterite: "valí valiste valió valimos valisteis valieron",
    future: "valdré valdrás valdrá valdremos valdréis valdrán",
  },
  {
    infinitive: "hacer",
    present: "hago haces hace hacemos hacéis hacen",
    preterite: "hice hiciste hizo hicimos hicisteis hicieron",
    future: "haré harás hará haremos haréis harán",
    conditional: "haría harías haría haríamos haríais harían",
    presentPerfect: "he hecho, has hecho, ha hecho, hemos hecho, habéis hecho, han hecho",
  },
  {
    infinitive: "satisfacer",
    present: "satisfago satisfaces satisface satisfacemos satisfacéis satisfacen",
    preterite: "satisfice satisficiste satisfizo satisficimos satisficisteis satisficieron",
    future: "satisfaré satisfarás satisfará satisfaremos satisfaréis satisfarán",
  },
  {
    infinitive: "decir",
    present: "digo dices dice decimos decís dicen",
    preterite: "dije dijiste dijo dijimos dijisteis dijeron",
    future: "diré dirás dirá diremos diréis dirán",
    conditional: "diría dirías diría diríamos diríais dirían",
    presentPerfect: "he dicho, has dicho, ha dicho, hemos dicho, habéis dicho, han dicho",
  },
  {
    infinitive: "poder",
    present: "puedo puedes puede podemos podéis pueden",
    preterite: "pude pudiste pudo pudimos pudisteis pudieron",
    future: "podré podrás podrá podremos podréis podrán",
    conditional: "podría podrías podría podríamos podríais podrían",
  },
  {
    infinitive: "querer",
    present: "quiero quieres quiere queremos queréis quieren",
    preterite: "quise quisiste quiso quisimos quisisteis quisieron",
    future: "querré querrás querrá querremos querréis querrán",
  },
  {
    infinitive: "andar",
    present: "ando andas anda andamos andáis andan",
    preterite: "anduve anduviste anduvo anduvimos anduvisteis anduvieron",
    future: "andaré andarás andará andaremos andaréis andarán",
  },
  {
    infinitive: "traer",
    present: "traigo traes trae traemos traéis traen",
    preterite: "traje trajiste trajo trajimos trajisteis trajeron",
    future: "traeré traerás traerá traeremos traeréis traerán",
  },
  {
    infinitive: "caer",
    present: "caigo caes cae caemos caéis caen",
    preterite: "caí caíste cayó caímos caísteis cayeron",
    future: "caeré caerás caerá caeremos caeréis caerán",
  },
  {
    infinitive: "oír",
    present: "oigo oyes oye oímos oís oyen",
    preterite: "oí oíste oyó oímos oísteis oyeron",
    future: "oiré oirás oirá oiremos oiréis oirán",
    imperfect: "oía oías oía oíamos oíais oían",
  },
  {
    infinitive: "leer",
    present: "leo lees lee leemos leéis leen",
    preterite: "leí leíste leyó leímos leísteis leyeron",
    future: "leeré leerás leerá leeremos leeréis leerán",
  },
  {
    infinitive: "reír",
    present: "río ríes ríe reímos reís ríen",
    preterite: "reí reíste rio reímos reísteis rieron",
    future: "reiré reirás reirá reiremos reiréis reirán",
    imperfect: "reía reías reía reíamos reíais reían",
  },
  {
    infinitive: "sonreír",
    present: "sonrío sonríes sonríe sonreímos sonreís sonríen",
    preterite: "sonreí sonreíste sonrió sonreímos sonreísteis sonrieron",
    future: "sonreiré sonreirás sonreirá sonreiremos sonreiréis sonreirán",
  },
  {
    infinitive: "construir",
    present: "construyo construyes construye construimos construís construyen",
    preterite: "construí construiste construyó construimos construisteis construyeron",
    future: "construiré construirás construirá construiremos construiréis construirán",
  },
  {
    infinitive: "huir",
    present: "huyo huyes huye huimos huis huyen",
    preterite: "hui huiste huyó huimos huisteis huyeron",
    future: "huiré huirás huirá huiremos huiréis huirán",
  },
  {
    infinitive: "conducir",
    present: "conduzco conduces conduce conducimos conducís conducen",
    preterite: "conduje condujiste condujo condujimos condujisteis condujeron",
    future: "conduciré conducirás conducirá conduciremos conduciréis conducirán",
  },
  {
    infinitive: "conocer",
    present: "conozco conoces conoce conocemos conocéis conocen",
    preterite: "conocí conociste conoció conocimos conocisteis conocieron",
    future: "conoceré conocerás conocerá conoceremos conoceréis conocerán",
  },
  {
    infinitive: "pedir",
    present: "pido pides pide pedimos pedís piden",
    preterite: "pedí pediste pidió pedimos pedisteis pidieron",
    future: "pediré pedirás pedirá pediremos pediréis pedirán",
  },
  {
    infinitive: "seguir",
    present: "sigo sigues sigue seguimos seguís siguen",
    preterite: "seguí seguiste siguió seguimos seguisteis siguieron",
    future: "seguiré seguirás seguirá seguiremos seguiréis seguirán",
  },
  {
    infinitive: "elegir",
    present: "elijo eliges elige elegimos elegís eligen",
    preterite: "elegí elegiste eligió elegimos elegisteis eligieron",
    future: "elegiré elegirás elegirá elegiremos elegiréis elegirán",
  },
  {
    infinitive: "dormir",
    present: "duermo duermes duerme dormimos dormís duermen",
    preterite: "dormí dormiste durmió dormimos dormisteis durmieron",
    future: "dormiré dormirás dormirá dormiremos dormiréis dormirán",
  },
  {
    infinitive: "morir",
    present: "muero mueres muere morimos morís mueren",
    preterite: "morí moriste murió morimos moristeis murieron",
    future: "moriré morirás morirá moriremos moriréis morirán",
    presentPerfect: "he muerto, has muerto, ha muerto, hemos muerto, habéis muerto, han muerto",
  },
  {
    infinitive: "sentir",
    present: "siento sientes siente sentimos sentís sienten",
    preterite: "sentí sentiste sintió sentimos sentisteis sintieron",
    future: "sentiré sentirás sentirá sentiremos sentiréis sentirán",
  },
  {
    infinitive: "pensar",
    present: "pienso piensas piensa pensamos pensáis piensan",
    preterite: "pensé pensaste pensó pensamos pensasteis pensaron",
    future: "pensaré pensarás pensará pensaremos pensaréis pensarán",
  },
  {
    infinitive: "volver",
    present: "vuelvo vuelves vuelve volvemos volvéis vuelven",
    preterite: "volví volviste volvió volvimos volvisteis volvieron",
    future: "volveré volverás volverá volveremos volveréis volverán",
  },
  {
    infinitive: "jugar",
    present: "juego juegas juega jugamos jugáis juegan",
    preterite: "jugué jugaste jugó jugamos jugasteis jugaron",
    future: "jugaré jugarás jugará jugaremos jugaréis jugarán",
  },
  {
    infinitive: "buscar",
    present: "busco buscas busca buscamos buscáis buscan",
    preterite: "busqué buscaste buscó buscamos buscasteis buscaron",
    future: "buscaré buscarás buscará buscaremos buscaréis buscarán",
  },
  {
    infinitive: "llegar",
    present: "llego llegas llega llegamos llegáis llegan",
    preterite: "llegué llegaste llegó llegamos llegasteis llegaron",
    future: "llegaré llegarás llegará llegaremos llegaréis llegarán",
  },
  {
    infinitive: "empezar",
    present: "empiezo empiezas empieza empezamos empezáis empiezan",
    preterite: "empecé empezaste empezó empezamos empezasteis empezaron",
    future: "empezaré empezarás empezará empezaremos empezaréis empezarán",
  },
  {
    infinitive: "averiguar",
    present: "averiguo averiguas averigua averiguamos averiguáis averiguan",
    preterite: "averigüé averiguaste averiguó averiguamos averiguasteis averiguaron",
    future: "averiguaré averiguarás averiguará averiguaremos averiguaréis averiguarán",
  },
  {
    infinitive: "enviar",
    present: "envío envías envía enviamos enviáis envían",
    preterite: "envié enviaste envió enviamos enviasteis enviaron",
    future: "enviaré enviarás enviará enviaremos enviaréis enviarán",
  },
  {
    infinitive: "guiar",
    present: "guío guías guía guiamos guiais guían",
    preterite: "guie guiaste guio guiamos guiasteis guiaron",
    future: "guiaré guiarás guiará guiaremos guiaréis guiarán",
  },
  {
    infinitive: "continuar",
    present: "continúo continúas continúa continuamos continuáis continúan",
    preterite: "continué continuaste continuó continuamos continuasteis continuaron",
    future: "continuaré continuarás continuará continuaremos continuaréis continuarán",
  },
  {
    infinitive: "reunir",
    present: "reúno reúnes reúne reunimos reunís reúnen",
    preterite: "reuní reuniste reunió reunimos reunisteis reunieron",
    future: "reuniré reunirás reunirá reuniremos reuniréis reunirán",
  },
  {
    infinitive: "escoger",
    present: "escojo escoges escoge escogemos escogéis escogen",
    preterite: "escogí escogiste escogió escogimos escogisteis escogieron",
    future: "escogeré escogerás escogerá escogeremos escogeréis escogerán",
  },
  {
    infinitive: "vencer",
    present: "venzo vences vence vencemos vencéis vencen",
    preterite: "vencí venciste venció vencimos vencisteis vencieron",
    future: "venceré vencerás vencerá venceremos venceréis vencerán",
  },
  // One verb of every RAE model not covered above (models.ts), so that every model has reference
  // forms (models.test.ts checks it). Where RAE accepts two forms, the engine's choice is written and
  // the other is noted.
  {
    infinitive: "apostar",
    present: "apuesto apuestas apuesta apostamos apostáis apuestan",
    preterite: "aposté apostaste apostó apostamos apostasteis apostaron",
    future: "apostaré apostarás apostará apostaremos apostaréis apostarán",
  },
  {
    infinitive: "enraizar",
    present: "enraízo enraízas enraíza enraizamos enraizáis enraízan",
    preterite: "enraicé enraizaste enraizó enraizamos enraizasteis enraizaron",
    future: "enraizaré enraizarás enraizará enraizaremos enraizaréis enraizarán",
  },
  {
    infinitive: "aunar",
    present: "aúno aúnas aúna aunamos aunáis aúnan",
    preterite: "auné aunaste aunó aunamos aunasteis aunaron",
    future: "aunaré aunarás aunará aunaremos aunaréis aunarán",
  },
  {
    infinitive: "rehusar",
    present: "rehúso rehúsas rehúsa rehusamos rehusáis rehúsan",
    preterite: "rehusé rehusaste rehusó rehusamos rehusasteis rehusaron",
    future: "rehusaré rehusarás rehusará rehusaremos rehusaréis rehusarán",
  },
  {
    infinitive: "lucir",
    present: "luzco luces luce lucimos lucís lucen",
    preterite: "lucí luciste lució lucimos lucisteis lucieron",
    future: "luciré lucirás lucirá luciremos luciréis lucirán",
  },
  // future on the infinitive, unlike decir's diré
  {
    infinitive: "bendecir",
    present: "bendigo bendices bendice bendecimos bendecís bendicen",
    preterite: "bendije bendijiste bendijo bendijimos bendijisteis bendijeron",
    future: "bendeciré bendecirás bendecirá bendeciremos bendeciréis bendecirán",
  },
  {
    infinitive: "maldecir",
    present: "maldigo maldices maldice maldecimos maldecís maldicen",
    preterite: "maldije maldijiste maldijo maldijimos maldijisteis maldijeron",
    future: "maldeciré maldecirás maldecirá maldeciremos maldeciréis maldecirán",
  },
  // RAE accepts desdiré too; the engine writes desdeciré
  {
    infinitive: "desdecir",
    present: "desdigo desdices desdice desdecimos desdecís desdicen",
    preterite: "desdije desdijiste desdijo desdijimos desdijisteis desdijeron",
    future: "desdeciré desdecirás desdecirá desdeciremos desdeciréis desdecirán",
  },
  // RAE also gives rayo for raigo
  {
    infinitive: "raer",
    present: "raigo raes rae raemos raéis raen",
    preterite: "raí raíste rayó raímos raísteis rayeron",
    future: "raeré raerás raerá raeremos raeréis raerán",
  },
  {
    infinitive: "asir",
    present: "asgo ases ase asimos asís asen",
    preterite: "así asiste asió asimos asisteis asieron",
    future: "asiré asirás asirá asiremos asiréis asirán",
  },
  // RAE also gives yergo, yergues, yergue, yerguen; the engine writes the i- forms
  {
    infinitive: "erguir",
    present: "irgo irgues irgue erguimos erguís irguen",
    preterite: "erguí erguiste irguió erguimos erguisteis irguieron",
    future: "erguiré erguirás erguirá erguiremos erguiréis erguirán",
  },
  // participle podrido (models.test.ts)
  {
    infinitive: "pudrir",
    present: "pudro pudres pudre pudrimos pudrís pudren",
    preterite: "pudrí pudriste pudrió pudrimos pudristeis pudrieron",
    future: "pudriré pudrirás pudrirá pudriremos pudriréis pudrirán",
  },
  // RAE also gives yazgo and yago for yazco
  {
    infinitive: "yacer",
    present: "yazco yaces yace yacemos yacéis yacen",
    preterite: "yací yaciste yació yacimos yacisteis yacieron",
    future: "yaceré yacerás yacerá yaceremos yaceréis yacerán",
  },
  // archaic: plugo for plació, pluguieron for placieron
  {
    infinitive: "placer",
    present: "plazco places place placemos placéis placen",
    preterite: "plací placiste plació placimos placisteis placieron",
    future: "placeré placerás placerá placeremos placeréis placerán",
  },
];
